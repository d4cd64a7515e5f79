//! Due-time computations per second: `cargo bench -p domain --bench sla`.
//! The figures go to docs/benchmarks.md.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::sla::calendar::PRESETS;
use domain::sla::compiled::{Calendar, MIN, micros};
use domain::sla::holidays::{CN_TSV, covered_until, parse_table};
use domain::sla::target::{DayAt, Edge, Target};

/// The clauses the seeds use most, in the proportions tickets would hit them.
const TARGETS: [Target; 8] = [
    Target::Calendar { minutes: 15 },
    Target::Calendar { minutes: 240 },
    Target::Business { minutes: 60 },
    Target::Business { minutes: 480 },
    Target::Business { minutes: 24 * 60 },
    Target::WorkingDays { days: 3, at: DayAt::EndOfDay },
    Target::WorkingDays { days: 15, at: DayAt::SameTime },
    Target::NextWorkingDay { at: Edge::End },
];

/// Start instants spread over 2025–2026 (every 7 h 13 min, so every time of day and weekday).
fn starts() -> Vec<i64> {
    let first = micros("2025-01-01T00:00:00Z".parse().unwrap_or_default());
    (0..2400).map(|i| first + i * (7 * 60 + 13) * MIN).collect()
}

fn bench(c: &mut Criterion) {
    let holidays = parse_table(CN_TSV).unwrap_or_default();
    let shanghai = Calendar::compile(&PRESETS[1].spec(), &holidays, covered_until(&holidays));
    let mut berlin_spec = PRESETS[1].spec();
    berlin_spec.time_zone = "Europe/Berlin".into();
    let berlin = Calendar::compile(&berlin_spec, &holidays, covered_until(&holidays));
    let starts = starts();
    let n = (starts.len() * TARGETS.len()) as u64;
    let mut group = c.benchmark_group("due");
    group.throughput(Throughput::Elements(n));
    for (name, cal) in [("5x8 Asia/Shanghai", &shanghai), ("5x8 Europe/Berlin", &berlin)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                for &s in &starts {
                    for t in &TARGETS {
                        black_box(t.due(cal, black_box(s), &[], &mut ()));
                    }
                }
            })
        });
    }
    let pauses = [(0, 0)];
    group.bench_function("5x8 Asia/Shanghai, one pause", |b| {
        b.iter(|| {
            for &s in &starts {
                let p = [(s + 30 * MIN, s + 150 * MIN)];
                for t in &TARGETS {
                    black_box(t.due(&shanghai, black_box(s), if s > 0 { &p } else { &pauses }, &mut ()));
                }
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
