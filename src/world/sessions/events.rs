//! Events of the session world. Events about one session name its slot and generation
//! ([`super::roster`]), so an event left over from a session that ended is ignored.

/// Events of the session world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SEvent {
    /// The next arrival.
    Arrive,
    /// The session in slot `.0`, generation `.1`, ends.
    Depart(u32, u32),
    /// Monitoring scrape.
    Scrape,
    /// The oldest pending scrape reaches the central view.
    ViewReady,
    /// Fault `.0` starts.
    Fail(u32),
    /// Fault `.0` ends.
    Recover(u32),
    /// A scale-out of cluster `.0` by `.1` nodes finished (`.2`: whether they came up).
    NodesReady(u32, u32, bool),
    /// Peering number `.0` is established.
    Peered(u32),
    /// Standby cluster `.0` is created and peered (`.1`: whether its machines came up).
    ClusterUp(u32, bool),
    /// Frame fidelity: the user of the session in slot `.0`, generation `.1`, sends its
    /// next input (a frame starts).
    Frame(u32, u32),
    /// Frame fidelity: a frame of the session in slot `.0` reaches the egress link of its
    /// cluster's site, `.1` ns after it started, with size `.2` per mille of the mean;
    /// `.3` is the low 16 bits of the session's generation (a frame is in flight for well
    /// under a second, far less than 65,536 reuses of one slot take).
    FrameAtLink(u32, u32, u16, u16),
}
