//! Coinone: not implemented yet (see issue 4). The codec for this exchange goes here, with the
//! same file set as `upbit/` and `binance/`.

use premia_events::{Exchange, Market};

use super::{CodecSetupError, ExchangeCodec};

/// Builds the Coinone codec for `markets` with books of `depth` levels.
pub fn codec(markets: &[Market], depth: usize) -> Result<Box<dyn ExchangeCodec>, CodecSetupError> {
    let _ = (markets, depth);
    Err(CodecSetupError::Unsupported {
        exchange: Exchange::Coinone,
    })
}
