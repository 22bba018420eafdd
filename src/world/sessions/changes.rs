//! Change tracking: which clusters, sites or relays changed since the last scrape, each
//! listed once in the order it first changed, so monitoring and flow sampling recompute
//! only what changed.

/// Clusters, sites or relays whose load changed, each listed once.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    flag: Vec<bool>,
    list: Vec<u32>,
}

impl Changes {
    pub(super) fn new(n: usize) -> Self {
        Changes {
            flag: vec![false; n],
            list: Vec::new(),
        }
    }

    #[inline]
    pub(super) fn mark(&mut self, i: usize) {
        if !self.flag[i] {
            self.flag[i] = true;
            self.list.push(i as u32);
        }
    }

    /// What changed, in the order it first changed.
    pub fn list(&self) -> &[u32] {
        &self.list
    }

    pub(super) fn clear(&mut self) {
        for &i in &self.list {
            self.flag[i as usize] = false;
        }
        self.list.clear();
    }
}
