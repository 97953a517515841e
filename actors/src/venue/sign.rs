//! Signing for live venues, written on `sha2` alone: HMAC (RFC 2104), base64url, Upbit's JWT
//! with `query_hash`, and query strings. HMAC-SHA256 also signs the notifier's webhooks.

use sha2::{Digest, Sha256, Sha512};

pub use crate::secret::Secret;

fn hmac<D: Digest>(block: usize, key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut key_block = if key.len() > block {
        D::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    key_block.resize(block, 0);
    let inner_key: Vec<u8> = key_block.iter().map(|b| b ^ 0x36).collect();
    let outer_key: Vec<u8> = key_block.iter().map(|b| b ^ 0x5c).collect();
    let mut inner = D::new();
    inner.update(&inner_key);
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = D::new();
    outer.update(&outer_key);
    outer.update(inner);
    outer.finalize().to_vec()
}

/// HMAC-SHA256.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    hmac::<Sha256>(64, key, message)
}

/// HMAC-SHA512.
pub fn hmac_sha512(key: &[u8], message: &[u8]) -> Vec<u8> {
    hmac::<Sha512>(128, key, message)
}

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5), as JWTs use.
pub fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 63;
            if let Some(&c) = BASE64URL.get(index as usize) {
                out.push(char::from(c));
            }
        }
    }
    out
}

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `k=v&k=v` with percent-encoded values, in the given order.
pub fn query_string(params: &[(&str, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A JWT (HS256) for Upbit: `access_key`, `nonce`, and, when the request has parameters,
/// `query_hash` (hex SHA-512 of `query`, the `k=v&...` string) with `query_hash_alg = SHA512`.
pub fn upbit_jwt(access_key: &Secret, secret_key: &Secret, nonce: &str, query: &str) -> String {
    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let mut payload = serde_json::json!({
        "access_key": access_key.expose(),
        "nonce": nonce,
    });
    if !query.is_empty() {
        let hash = hex::encode(Sha512::digest(query.as_bytes()));
        if let Some(map) = payload.as_object_mut() {
            map.insert("query_hash".into(), hash.into());
            map.insert("query_hash_alg".into(), "SHA512".into());
        }
    }
    let payload = base64url(payload.to_string().as_bytes());
    let signing_input = format!("{header}.{payload}");
    let signature = base64url(&hmac_sha256(
        secret_key.expose().as_bytes(),
        signing_input.as_bytes(),
    ));
    format!("{signing_input}.{signature}")
}

/// A fresh nonce in UUID form: SHA-256 of the process id, a counter and the time, so two
/// requests never share one (Upbit rejects a reused nonce).
pub fn nonce() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let digest = Sha256::digest(format!("{}:{count}:{now}", std::process::id()).as_bytes());
    let h = hex::encode(digest);
    let part = |a: usize, b: usize| h.get(a..b).unwrap_or("0").to_owned();
    format!(
        "{}-{}-4{}-a{}-{}",
        part(0, 8),
        part(8, 12),
        part(13, 16),
        part(17, 20),
        part(20, 32)
    )
}

/// Binance's signature: lower-case hex HMAC-SHA256 of the query string.
pub fn binance_signature(secret: &Secret, payload: &str) -> String {
    hex::encode(hmac_sha256(secret.expose().as_bytes(), payload.as_bytes()))
}
