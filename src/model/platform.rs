//! CPU contention: how a cluster's load stretches a component's processing time.

/// Slowdown of a job on a cluster of `cores` cores whose utilisation is `utilisation`
/// (0..1): `1 / (1 - u^c)`, the waiting factor of an M/M/c server in the
/// Sakasegawa-style approximation with the wait folded into service. Utilisation is capped
/// at 0.95 so an overloaded cluster slows work twentyfold instead of stalling it.
pub fn contention_stretch(utilisation: f64, cores: f64) -> f64 {
    let u = utilisation.clamp(0.0, 0.95);
    1.0 / (1.0 - u.powf(cores.max(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_cluster_does_not_stretch_and_load_does() {
        assert_eq!(contention_stretch(0.0, 2.0), 1.0);
        // 1 / (1 - 0.5^2) = 4/3.
        assert!((contention_stretch(0.5, 2.0) - 4.0 / 3.0).abs() < 1e-12);
        assert!(contention_stretch(0.5, 1.0) > contention_stretch(0.5, 4.0));
        assert!(contention_stretch(2.0, 2.0).is_finite());
    }
}
