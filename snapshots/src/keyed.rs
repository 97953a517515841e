//! Hash-keyed collections for the fold that read, print and serialize in key order.
//!
//! The fold looks orders and signals up by id once or twice per event, in maps of tens of
//! thousands of entries; a `BTreeMap` costs a dozen string comparisons (and cache misses) per
//! lookup there, a hash map one hash and usually one comparison. Everything that leaves the state
//! (iteration, `Debug`, serde in every format: snapshots, `premia state --json`) goes through the
//! keys sorted, so output and stored bytes are exactly what a `BTreeMap`/`BTreeSet` gave.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet, hash_map};
use std::fmt;
use std::hash::Hash;
use std::marker::PhantomData;

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The hasher: foldhash's fast variant, randomly seeded per map (iteration order never leaks out).
type Hasher = foldhash::fast::RandomState;

/// A map that hashes on the way in and sorts by key on the way out; see the module docs.
#[derive(Clone)]
pub struct KeyedMap<K, V> {
    map: HashMap<K, V, Hasher>,
}

impl<K, V> Default for KeyedMap<K, V> {
    fn default() -> Self {
        KeyedMap {
            map: HashMap::default(),
        }
    }
}

impl<K: Ord + Hash, V> KeyedMap<K, V> {
    /// An empty map.
    pub fn new() -> KeyedMap<K, V> {
        KeyedMap::default()
    }

    /// The value under `key`.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key)
    }

    /// The value under `key`, to change it.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get_mut(key)
    }

    /// Whether `key` is present.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.contains_key(key)
    }

    /// Inserts, returning the value that was there.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.map.insert(key, value)
    }

    /// The slot for `key`, to insert or change in one lookup.
    pub fn entry(&mut self, key: K) -> hash_map::Entry<'_, K, V> {
        self.map.entry(key)
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The entries in key order (sorted on each call: for output, not for the fold).
    pub fn iter(&self) -> std::vec::IntoIter<(&K, &V)> {
        sorted(self.map.iter().collect())
    }

    /// The entries that pass `keep`, in key order (only those are sorted).
    pub fn filtered(&self, keep: impl Fn(&V) -> bool) -> std::vec::IntoIter<(&K, &V)> {
        sorted(self.map.iter().filter(|(_, v)| keep(v)).collect())
    }
}

fn sorted<'a, K: Ord, V>(mut entries: Vec<(&'a K, &'a V)>) -> std::vec::IntoIter<(&'a K, &'a V)> {
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    entries.into_iter()
}

impl<K: Hash + Eq, V: PartialEq> PartialEq for KeyedMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

impl<K: Ord + Hash + fmt::Debug, V: fmt::Debug> fmt::Debug for KeyedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Ord + Hash, V, Q> std::ops::Index<&Q> for KeyedMap<K, V>
where
    K: Borrow<Q>,
    Q: Hash + Eq + ?Sized,
{
    type Output = V;

    /// Panics if the key is absent, like a `BTreeMap`: for tests, never for data from outside.
    fn index(&self, key: &Q) -> &V {
        #[allow(
            clippy::indexing_slicing,
            reason = "std's Index contract, as BTreeMap's"
        )]
        &self.map[key]
    }
}

impl<K: Ord + Hash, V> FromIterator<(K, V)> for KeyedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        KeyedMap {
            map: iter.into_iter().collect(),
        }
    }
}

/// Serialized as a map in key order: the same bytes and text a `BTreeMap` gives.
impl<K: Ord + Hash + Serialize, V: Serialize> Serialize for KeyedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (key, value) in self.iter() {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de, K, V> Deserialize<'de> for KeyedMap<K, V>
where
    K: Ord + Hash + Deserialize<'de>,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(PhantomData<(K, V)>);

        impl<'de, K, V> Visitor<'de> for MapVisitor<K, V>
        where
            K: Ord + Hash + Deserialize<'de>,
            V: Deserialize<'de>,
        {
            type Value = KeyedMap<K, V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = KeyedMap::new();
                map.map.reserve(access.size_hint().unwrap_or(0).min(4096));
                while let Some((key, value)) = access.next_entry()? {
                    map.insert(key, value);
                }
                Ok(map)
            }
        }

        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// A set that hashes on the way in and sorts on the way out; see the module docs.
#[derive(Clone)]
pub struct KeyedSet<K> {
    set: HashSet<K, Hasher>,
}

impl<K> Default for KeyedSet<K> {
    fn default() -> Self {
        KeyedSet {
            set: HashSet::default(),
        }
    }
}

impl<K: Ord + Hash> KeyedSet<K> {
    /// An empty set.
    pub fn new() -> KeyedSet<K> {
        KeyedSet::default()
    }

    /// Whether `key` is in the set.
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.set.contains(key)
    }

    /// Adds `key`; false if it was already there.
    pub fn insert(&mut self, key: K) -> bool {
        self.set.insert(key)
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// The keys in order (sorted on each call: for output, not for the fold).
    pub fn iter(&self) -> std::vec::IntoIter<&K> {
        let mut keys: Vec<&K> = self.set.iter().collect();
        keys.sort_unstable();
        keys.into_iter()
    }
}

impl<K: Hash + Eq> PartialEq for KeyedSet<K> {
    fn eq(&self, other: &Self) -> bool {
        self.set == other.set
    }
}

impl<K: Ord + Hash + fmt::Debug> fmt::Debug for KeyedSet<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<K: Ord + Hash> FromIterator<K> for KeyedSet<K> {
    fn from_iter<I: IntoIterator<Item = K>>(iter: I) -> Self {
        KeyedSet {
            set: iter.into_iter().collect(),
        }
    }
}

/// Serialized as a sequence in order: the same bytes and text a `BTreeSet` gives.
impl<K: Ord + Hash + Serialize> Serialize for KeyedSet<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for key in self.iter() {
            seq.serialize_element(key)?;
        }
        seq.end()
    }
}

impl<'de, K: Ord + Hash + Deserialize<'de>> Deserialize<'de> for KeyedSet<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SetVisitor<K>(PhantomData<K>);

        impl<'de, K: Ord + Hash + Deserialize<'de>> Visitor<'de> for SetVisitor<K> {
            type Value = KeyedSet<K>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut set = KeyedSet::new();
                set.set.reserve(access.size_hint().unwrap_or(0).min(4096));
                while let Some(key) = access.next_element()? {
                    set.insert(key);
                }
                Ok(set)
            }
        }

        deserializer.deserialize_seq(SetVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    fn keys() -> Vec<String> {
        ["pm-10", "pm-2", "a", "pm-1", "zz", "pm-100", "B"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn maps_serialize_exactly_as_btreemaps() {
        let pairs: Vec<(String, u32)> = keys().into_iter().zip(0..).collect();
        let cases: [(&str, usize); 3] = [("empty", 0), ("one", 1), ("all", pairs.len())];
        for (name, take) in cases {
            let ours: KeyedMap<String, u32> = pairs.iter().take(take).cloned().collect();
            let std: BTreeMap<String, u32> = pairs.iter().take(take).cloned().collect();
            let config = bincode::config::standard();
            let (a, b) = (
                bincode::serde::encode_to_vec(&ours, config),
                bincode::serde::encode_to_vec(&std, config),
            );
            assert_eq!(a.ok(), b.ok(), "{name}: bincode");
            let (a, b) = (serde_json::to_string(&ours), serde_json::to_string(&std));
            assert_eq!(a.ok(), b.ok(), "{name}: json");
            assert_eq!(format!("{ours:?}"), format!("{std:?}"), "{name}: debug");
            let listed: Vec<_> = ours.iter().collect();
            assert_eq!(listed, std.iter().collect::<Vec<_>>(), "{name}: iter");
            let json = serde_json::to_string(&ours).unwrap_or_default();
            let back: Result<KeyedMap<String, u32>, _> = serde_json::from_str(&json);
            assert_eq!(back.ok(), Some(ours), "{name}: round trip");
        }
    }

    #[test]
    fn sets_serialize_exactly_as_btreesets() {
        let cases: [(&str, usize); 3] = [("empty", 0), ("one", 1), ("all", keys().len())];
        for (name, take) in cases {
            let ours: KeyedSet<String> = keys().into_iter().take(take).collect();
            let std: BTreeSet<String> = keys().into_iter().take(take).collect();
            let config = bincode::config::standard();
            let (a, b) = (
                bincode::serde::encode_to_vec(&ours, config),
                bincode::serde::encode_to_vec(&std, config),
            );
            assert_eq!(a.ok(), b.ok(), "{name}: bincode");
            let (a, b) = (serde_json::to_string(&ours), serde_json::to_string(&std));
            assert_eq!(a.ok(), b.ok(), "{name}: json");
            assert_eq!(format!("{ours:?}"), format!("{std:?}"), "{name}: debug");
            let bytes = bincode::serde::encode_to_vec(&ours, config).unwrap_or_default();
            let back = bincode::serde::decode_from_slice::<KeyedSet<String>, _>(&bytes, config);
            assert_eq!(back.ok().map(|(s, _)| s), Some(ours), "{name}: round trip");
        }
    }
}
