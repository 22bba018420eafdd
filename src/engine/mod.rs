//! Engine layer: the simulated clock, the pending-event queue and seeded random streams.
//! It knows nothing of clusters or XR; the world layer drives it.

pub mod calendar;
pub mod queue;
pub mod rng;
pub mod time;

pub use calendar::CalendarQueue;
pub use queue::{BinaryQueue, EventQueue, RadixQueue};
pub use rng::{RngStreams, StreamRng};
pub use time::{SimDuration, SimTime, NS_PER_MS, NS_PER_S};
