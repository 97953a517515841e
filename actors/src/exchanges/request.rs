//! Request strings shared by every codec: reading back the path and query parameters of a REST
//! request a codec built, and deterministic ids for subscription frames.

/// The path of a REST request (`/api/v3/depth` of `/api/v3/depth?symbol=BTCUSDT&limit=20`).
pub fn path(request: &str) -> &str {
    request.split_once('?').map_or(request, |(path, _)| path)
}

/// The raw (not percent-decoded) value of query parameter `name` in a REST request, e.g.
/// `BTCUSDT` for `symbol` in `/api/v3/depth?symbol=BTCUSDT&limit=20`.
pub fn query_param<'a>(request: &'a str, name: &str) -> Option<&'a str> {
    let (_, query) = request.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// A deterministic 64-bit id of `parts` (FNV-1a, parts separated), as 16 hex digits: the same
/// subscription gives the same id on every run and every machine.
pub fn stable_id<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_read_back() {
        let request = "/api/v3/depth?symbol=ETHUSDT&limit=20";
        let cases = [
            (request, "symbol", Some("ETHUSDT")),
            (request, "limit", Some("20")),
            (request, "sym", None),
            (
                "/v1/ticker?markets=KRW-ETH,KRW-XRP",
                "markets",
                Some("KRW-ETH,KRW-XRP"),
            ),
            ("/v1/ticker", "markets", None),
            ("/x?flag&a=1", "a", Some("1")),
        ];
        for (index, (request, name, expected)) in cases.into_iter().enumerate() {
            assert_eq!(query_param(request, name), expected, "TC{index}");
        }
        assert_eq!(path(request), "/api/v3/depth");
        assert_eq!(path("/v1/ticker"), "/v1/ticker");
    }

    #[test]
    fn stable_ids_depend_only_on_the_parts() {
        let a = stable_id(["KRW-ETH", "KRW-XRP.15"]);
        assert_eq!(a, stable_id(["KRW-ETH", "KRW-XRP.15"]));
        assert_eq!(a.len(), 16);
        assert_ne!(a, stable_id(["KRW-ETHKRW-XRP.15"]));
        assert_ne!(a, stable_id(["KRW-XRP.15", "KRW-ETH"]));
        // FNV-1a of the empty input is the offset basis.
        assert_eq!(stable_id([]), "cbf29ce484222325");
    }
}
