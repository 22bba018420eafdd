//! Typed indices into the model's vectors.

/// Index of a site in [`crate::model::Topology::sites`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SiteId(pub u32);

/// Index of a cluster in [`crate::model::Topology::clusters`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClusterId(pub u32);

/// Index of a component in [`crate::model::Application::components`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ComponentId(pub u32);

/// Index of a flow in [`crate::model::Application::flows`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowId(pub u32);

macro_rules! index {
    ($($t:ty),*) => {$(
        impl $t {
            /// The index as a `usize`, for vector access.
            pub fn ix(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}
index!(SiteId, ClusterId, ComponentId, FlowId);
