//! Where sessions come from: a (possibly diurnal) Poisson process with sites, applications
//! and durations drawn from named streams, or a listed trace.

use super::settings::Arrivals;
use crate::engine::{SimDuration, SimTime, StreamRng};
use crate::model::session_platform::SessionPlatform;
use rand::Rng;
use rand_distr::{Distribution, Exp};

/// The next session's attributes.
#[derive(Debug, Clone, Copy)]
pub struct Arrival {
    /// First user's access site.
    pub site: u32,
    /// Application index.
    pub app: u32,
    /// How long it lasts, s.
    pub duration_s: f64,
}

/// The arrival process of one run.
pub struct ArrivalSource<'a> {
    arrivals: &'a Arrivals,
    next_trace: usize,
    app_weights: Vec<f64>,
    rng_arrival: StreamRng,
    rng_pick: StreamRng,
}

impl ArrivalSource<'_> {
    /// Arrivals from `arrivals`, drawing times from `rng_arrival` and attributes from
    /// `rng_pick`.
    pub fn new<'a>(
        p: &SessionPlatform,
        arrivals: &'a Arrivals,
        rng_arrival: StreamRng,
        rng_pick: StreamRng,
    ) -> ArrivalSource<'a> {
        ArrivalSource {
            arrivals,
            next_trace: 0,
            app_weights: p.apps.iter().map(|a| a.share).collect(),
            rng_arrival,
            rng_pick,
        }
    }

    /// Whether sessions come from a trace (whose sessions have one user each).
    pub fn is_trace(&self) -> bool {
        matches!(self.arrivals, Arrivals::Trace(_))
    }

    /// When the arrival after `now` happens, if any. A diurnal rate is sampled by thinning
    /// a Poisson process at the peak rate.
    pub fn next_time(&mut self, now: SimTime) -> Option<SimTime> {
        match self.arrivals {
            Arrivals::Trace(list) => list
                .get(self.next_trace)
                .map(|a| SimTime::ZERO + SimDuration::from_secs_f64(a.0)),
            &Arrivals::Generated {
                rate_per_s,
                amplitude,
            } => {
                let peak = rate_per_s * (1.0 + amplitude);
                let exp = Exp::new(peak).expect("validated positive rate");
                let mut t = now.0 as f64 / 1e9;
                loop {
                    t += exp.sample(&mut self.rng_arrival);
                    let phase = 2.0 * std::f64::consts::PI * (t / 86_400.0 - 0.25);
                    let rate = rate_per_s * (1.0 + amplitude * phase.sin());
                    if self.rng_arrival.random::<f64>() * peak <= rate {
                        break;
                    }
                }
                Some(SimTime::ZERO + SimDuration::from_secs_f64(t))
            }
        }
    }

    /// The next arrival's site, application and duration.
    pub fn draw(&mut self, p: &SessionPlatform) -> Arrival {
        if let Arrivals::Trace(list) = self.arrivals {
            let a = list[self.next_trace];
            self.next_trace += 1;
            return Arrival {
                site: a.1,
                app: a.2,
                duration_s: a.3,
            };
        }
        let sites = &p.access_sites;
        let site = sites[self.rng_pick.random_range(0..sites.len())];
        let total: f64 = self.app_weights.iter().sum();
        let mut x = self.rng_pick.random::<f64>() * total;
        let mut app = 0;
        for (i, w) in self.app_weights.iter().enumerate() {
            app = i;
            if x < *w {
                break;
            }
            x -= w;
        }
        let mean = p.apps[app].mean_duration_s;
        let duration_s = Exp::new(1.0 / mean)
            .expect("validated positive duration")
            .sample(&mut self.rng_pick);
        Arrival {
            site,
            app: app as u32,
            duration_s,
        }
    }

    /// For a shared session of generated load, the other users' access sites into `out`
    /// (cleared first), drawn among the sites nearest the first user's (a group working
    /// together is close by). None for a trace or a single-user application.
    pub fn draw_others(&mut self, p: &SessionPlatform, a: Arrival, out: &mut Vec<u32>) {
        out.clear();
        let users = p.apps[a.app as usize].users;
        if users <= 1 || self.is_trace() {
            return;
        }
        let near = &p.near_access[a.site as usize];
        for _ in 1..users {
            out.push(near[self.rng_pick.random_range(0..near.len())]);
        }
    }
}
