//! FNV-1a (Fowler, Noll, Vo; the parameters of the IETF draft `draft-eastlake-fnv`): a
//! fixed, platform-independent hash. std's hasher is randomly keyed and may change between
//! releases, so names, random streams and checksums that must be the same on every machine
//! and every version use this one. Not a defence against a forger: a check against edits
//! and damage.

const OFFSET_64: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME_64: u64 = 0x0000_0100_0000_01b3;
const OFFSET_32: u32 = 0x811c_9dc5;
const PRIME_32: u32 = 0x0100_0193;

/// The byte that ends each part in [`hash64_parts`], so `["ab"]` and `["a", "b"]` differ.
const PART_END: u8 = 0xff;

/// FNV-1a 64 of `bytes` (random-stream names).
pub fn hash64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(OFFSET_64, |h, &b| step64(h, b))
}

/// FNV-1a 64 of `parts`, each followed by a separator byte (fingerprints of a resolved
/// sweep and the job cache's checksum rows).
pub fn hash64_parts(parts: &[&[u8]]) -> u64 {
    parts.iter().fold(OFFSET_64, |h, part| {
        let h = part.iter().fold(h, |h, &b| step64(h, b));
        step64(h, PART_END)
    })
}

/// FNV-1a 32 of `text` (short suffixes that keep truncated Kubernetes names distinct).
pub fn hash32(text: &str) -> u32 {
    text.bytes()
        .fold(OFFSET_32, |h, b| (h ^ b as u32).wrapping_mul(PRIME_32))
}

#[inline]
fn step64(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(PRIME_64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_test_vectors() {
        // draft-eastlake-fnv, section 8.3 test vectors: "" and "a" and "foobar".
        assert_eq!(hash64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash64(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(hash32(""), 0x811c_9dc5);
        assert_eq!(hash32("a"), 0xe40c_292c);
        assert_eq!(hash32("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn parts_are_separated() {
        assert_ne!(hash64_parts(&[b"ab"]), hash64_parts(&[b"a", b"b"]));
        assert_eq!(hash64_parts(&[b"a"]), {
            let mut with_end = b"a".to_vec();
            with_end.push(PART_END);
            hash64(&with_end)
        });
    }
}
