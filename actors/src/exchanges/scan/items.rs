//! [`Items`]: the objects of a JSON array read in place, the first without an allocation.

use super::super::json::Malformed;
use super::Scanner;

/// The items of a JSON array of objects (OKX's and Kraken's `data`), each read in place where
/// it lies. These venues send one item per push, so the first is kept inline and only a second
/// one allocates: a ticker's decode then neither allocates nor copies its item.
#[derive(Debug)]
pub struct Items<T> {
    first: Option<T>,
    rest: Vec<T>,
}

impl<T> Default for Items<T> {
    fn default() -> Self {
        Items {
            first: None,
            rest: Vec::new(),
        }
    }
}

impl<T: Default> Items<T> {
    /// Reads an array into these (empty) items, each element made by `T::default()` and then
    /// filled by `read`.
    pub fn scan<'a>(
        &mut self,
        s: &mut Scanner<'a>,
        mut read: impl FnMut(&mut Scanner<'a>, &mut T) -> Result<(), Malformed>,
    ) -> Result<(), Malformed> {
        s.array(|s, _| {
            if self.first.is_none() {
                return read(s, self.first.insert(T::default()));
            }
            self.rest.push(T::default());
            match self.rest.last_mut() {
                Some(item) => read(s, item),
                None => Ok(()),
            }
        })
    }
}

impl<T> Items<T> {
    /// The items, in the array's order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.first.iter().chain(&self.rest)
    }

    /// The items, in the array's order, to take parts out of.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.first.iter_mut().chain(&mut self.rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(json: &str) -> Result<Vec<u64>, Malformed> {
        let mut items: Items<Option<u64>> = Items::default();
        Scanner::whole_into(json.as_bytes(), &mut items, |s, items| {
            items.scan(s, |s, slot| s.u64().map(|n| *slot = Some(n)))
        })?;
        Ok(items.iter().flatten().copied().collect())
    }

    #[test]
    fn reads_every_element_in_order() {
        let cases: [(&str, &[u64]); 4] = [
            ("[]", &[]),
            ("[7]", &[7]),
            ("[7, 8]", &[7, 8]),
            (" [1,2,3,4] ", &[1, 2, 3, 4]),
        ];
        for (json, expected) in cases {
            assert_eq!(numbers(json).as_deref(), Ok(expected), "{json}");
        }
    }

    #[test]
    fn a_bad_element_fails_the_array() {
        for json in ["[1,", "[1,\"x\"]", "{}", "[1 2]"] {
            assert!(numbers(json).is_err(), "{json}");
        }
    }
}
