//! The validity and boolean bitmaps of columns.

/// A bit per record in 64-bit words, least significant bit first (the bit order of Arrow's
/// validity and boolean buffers). Bits past the length are zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl Bitmap {
    /// `len` bits, all `bit`.
    pub fn filled(len: usize, bit: bool) -> Bitmap {
        let mut words = vec![if bit { u64::MAX } else { 0 }; len.div_ceil(64)];
        if !len.is_multiple_of(64) {
            if let Some(last) = words.last_mut() {
                *last &= (1u64 << (len % 64)) - 1;
            }
        }
        Bitmap { words, len }
    }

    /// The bits of `words` (least significant first), `len` of them; bits past `len` are
    /// dropped. `None` when `words` is too short for `len`.
    pub fn from_words(mut words: Vec<u64>, len: usize) -> Option<Bitmap> {
        if words.len() < len.div_ceil(64) {
            return None;
        }
        words.truncate(len.div_ceil(64));
        let mut b = Bitmap { words, len };
        if !len.is_multiple_of(64) {
            if let Some(last) = b.words.last_mut() {
                *last &= (1u64 << (len % 64)) - 1;
            }
        }
        Some(b)
    }

    /// One bit per item.
    pub fn from_bools(bits: impl IntoIterator<Item = bool>) -> Bitmap {
        let mut b = Bitmap::default();
        for bit in bits {
            b.push(bit);
        }
        b
    }

    /// Appends a bit.
    #[inline]
    pub fn push(&mut self, bit: bool) {
        if self.len.is_multiple_of(64) {
            self.words.push(0);
        }
        if let Some(last) = self.words.last_mut() {
            *last |= (bit as u64) << (self.len % 64);
        }
        self.len += 1;
    }

    /// Bit `i` (false past the end).
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        i < self.len && self.words[i / 64] >> (i % 64) & 1 == 1
    }

    /// Sets bit `i` (nothing past the end).
    pub fn set(&mut self, i: usize, bit: bool) {
        if i < self.len {
            let (w, b) = (i / 64, i % 64);
            self.words[w] = (self.words[w] & !(1 << b)) | ((bit as u64) << b);
        }
    }

    /// The number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it has no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The words, least significant bit first.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// How many bits are set.
    pub fn count_ones(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }
}
