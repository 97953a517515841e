//! The simulated market as a [`FrameSource`]: one [`Simulator`] shared by every feed with
//! `source = "sim"`, so Upbit's BTC/KRW and Binance's BTC/USDT move together (with the KRW
//! premium between them). Each feed takes only its own exchange's frames.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use premia_events::{Exchange, Timestamp};

use super::FrameSource;
use crate::sim::{SimConfig, SimError, Simulator};

/// The simulator and the frames it produced that their feeds have not taken yet.
#[derive(Debug)]
struct Shared {
    simulator: Simulator,
    pending: HashMap<Exchange, Vec<Vec<u8>>>,
}

/// A handle on the shared simulator. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SharedSimulator {
    inner: Arc<Mutex<Shared>>,
    tick: Duration,
    seed: u64,
}

impl SharedSimulator {
    /// Starts the simulated market at `start`.
    pub fn new(config: &SimConfig, start: Timestamp) -> Result<SharedSimulator, SimError> {
        Ok(SharedSimulator {
            inner: Arc::new(Mutex::new(Shared {
                simulator: Simulator::new(config, start)?,
                pending: HashMap::new(),
            })),
            tick: Duration::from_millis(config.tick_ms.max(1)),
            seed: config.seed,
        })
    }

    /// The source of `exchange`'s frames.
    pub fn source(&self, exchange: Exchange) -> SimulatedFeed {
        SimulatedFeed {
            shared: self.clone(),
            exchange,
        }
    }
}

/// One exchange's view of the simulated market.
#[derive(Debug)]
pub struct SimulatedFeed {
    shared: SharedSimulator,
    exchange: Exchange,
}

impl FrameSource for SimulatedFeed {
    fn poll(&mut self, now: Timestamp) -> Vec<Vec<u8>> {
        let Ok(mut shared) = self.shared.inner.lock() else {
            return Vec::new();
        };
        let Shared { simulator, pending } = &mut *shared;
        for frame in simulator.frames(now) {
            pending.entry(frame.exchange).or_default().push(frame.bytes);
        }
        pending.remove(&self.exchange).unwrap_or_default()
    }

    fn interval(&self) -> Duration {
        self.shared.tick
    }

    fn describe(&self) -> String {
        format!("simulated market, seed {}", self.shared.seed)
    }
}
