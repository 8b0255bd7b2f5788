#pragma once
// Synthetic fleets shaped like the sandbox's (server/sim/SimFleet.cpp): 24
// instances across dasher / dash-ai / dev, three regions, three versions and
// three planted faults in dasher (slow: p95 x3, error-prone: about half the
// runs fail, drifting: quality 0.15 below). Deterministic: no clock, no rand().

#include "nexus/v1/fleet.pb.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace nexus::testing {

inline constexpr std::int64_t kAsOfUs = 1'760'000'000'000'000; // a fixed "now"

// A small deterministic jitter in [-1, 1].
inline double jitter(int i, int salt)
{
    return std::sin(double(i) * 12.9898 + double(salt) * 78.233) * 0.999;
}

struct SyntheticFleet
{
    std::vector<nexus::v1::Instance> instances;
    std::string slowId, errorProneId, driftingId;
};

inline SyntheticFleet sandboxFleet(int count = 24)
{
    static const char* regions[3] = {"us-east-1", "eu-west-1", "ap-southeast-2"};
    static const char* shortRegions[3] = {"use1", "euw1", "apse2"};
    SyntheticFleet fleet;
    const int dasher = count * 5 / 12, dashAi = count * 5 / 12;
    int perDeployment[3] = {0, 0, 0};
    for (int i = 0; i < count; ++i) {
        const int d = i < dasher ? 0 : i < dasher + dashAi ? 1 : 2;
        const char* deployment = d == 0 ? "dasher" : d == 1 ? "dash-ai" : "dev";
        const int n = perDeployment[d]++;
        char id[64], host[64];
        std::snprintf(id, sizeof id, "%s-%s-%02d", deployment, shortRegions[n % 3], n + 1);
        std::snprintf(host, sizeof host, "%s-node-%c%02d", deployment, 'a' + n % 3,
                      10 + n * 7 % 90);
        nexus::v1::Instance in;
        in.set_instance_id(id);
        in.set_deployment(deployment);
        in.set_version(d == 2 ? (n % 2 == 0 ? "2.0.0-rc1" : "1.9.0")
                              : (n % 4 == 3 ? "1.8.2" : "1.9.0"));
        in.set_host(host);
        in.set_region(regions[n % 3]);
        in.set_status(nexus::v1::INSTANCE_STATUS_HEALTHY);
        in.set_first_seen_us(kAsOfUs - 600'000'000);
        in.set_last_seen_us(kAsOfUs - (1 + i % 4) * 1'000'000);
        if (d == 0) {
            in.add_graphs("coding_agent");
            in.add_graphs("research_team");
        } else {
            in.add_graphs("rag_pipeline");
            in.add_graphs("support_triage");
        }
        auto* m = in.mutable_metrics();
        const double baseP95 = d == 0 ? 1800 : d == 1 ? 900 : 1200;
        m->set_runs_per_sec(0.8 + 0.1 * jitter(i, 1));
        m->set_error_rate(0.02 + 0.01 * jitter(i, 2));
        m->set_latency_p50_ms(baseP95 * 0.55 * (1 + 0.05 * jitter(i, 3)));
        m->set_latency_p95_ms(baseP95 * (1 + 0.06 * jitter(i, 4)));
        m->set_latency_p99_ms(baseP95 * 1.3);
        m->set_quality(0.86 + 0.015 * jitter(i, 5));
        m->set_has_quality(true);
        m->set_tokens_per_sec(350);
        m->set_cost_per_hour_micros(std::int64_t(420'000 + 30'000 * jitter(i, 6)));
        m->set_runs_in_window(240);
        m->set_window_seconds(300);
        if (d == 0 && n == 1) { // slow
            m->set_latency_p50_ms(m->latency_p50_ms() * 3);
            m->set_latency_p95_ms(m->latency_p95_ms() * 3);
            in.set_status(nexus::v1::INSTANCE_STATUS_DEGRADED);
            fleet.slowId = id;
        } else if (d == 0 && n == 2) { // error-prone
            m->set_error_rate(0.47);
            in.set_status(nexus::v1::INSTANCE_STATUS_DEGRADED);
            fleet.errorProneId = id;
        } else if (d == 0 && n == 3) { // drifting
            m->set_quality(m->quality() - 0.15);
            in.set_status(nexus::v1::INSTANCE_STATUS_DEGRADED);
            fleet.driftingId = id;
        }
        fleet.instances.push_back(std::move(in));
    }
    return fleet;
}

inline nexus::v1::FleetTotals totalsOf(const std::vector<nexus::v1::Instance>& instances)
{
    nexus::v1::FleetTotals t;
    double runs = 0, errors = 0, quality = 0, p95 = 0;
    for (const auto& in : instances) {
        t.set_instances(t.instances() + 1);
        switch (in.status()) {
        case nexus::v1::INSTANCE_STATUS_HEALTHY:
            t.set_healthy(t.healthy() + 1);
            break;
        case nexus::v1::INSTANCE_STATUS_DEGRADED:
            t.set_degraded(t.degraded() + 1);
            break;
        case nexus::v1::INSTANCE_STATUS_UNHEALTHY:
            t.set_unhealthy(t.unhealthy() + 1);
            break;
        default:
            t.set_stale(t.stale() + 1);
        }
        runs += in.metrics().runs_per_sec();
        errors += in.metrics().runs_per_sec() * in.metrics().error_rate();
        quality += in.metrics().quality();
        p95 = std::max(p95, in.metrics().latency_p95_ms());
        t.set_cost_per_hour_micros(t.cost_per_hour_micros() + in.metrics().cost_per_hour_micros());
    }
    t.set_runs_per_sec(runs);
    t.set_error_rate(runs > 0 ? errors / runs : 0);
    t.set_latency_p95_ms(p95);
    t.set_quality(instances.empty() ? 0 : quality / double(instances.size()));
    return t;
}

inline nexus::v1::FleetUpdate fullUpdate(const std::vector<nexus::v1::Instance>& instances,
                                         std::int64_t asOfUs = kAsOfUs)
{
    nexus::v1::FleetUpdate u;
    u.set_full(true);
    for (const auto& in : instances)
        *u.add_upserted() = in;
    *u.mutable_totals() = totalsOf(instances);
    u.set_as_of_us(asOfUs);
    return u;
}

// Per-deployment series like GetMetricSeries returns: 24 h ending at kAsOfUs,
// one point per 10 minutes, for the five chart metrics.
inline nexus::v1::GetMetricSeriesResponse deploymentSeries(std::int64_t windowSeconds = 3600)
{
    nexus::v1::GetMetricSeriesResponse r;
    const char* deployments[3] = {"dasher", "dash-ai", "dev"};
    const nexus::v1::Metric metrics[5] = {
        nexus::v1::METRIC_THROUGHPUT, nexus::v1::METRIC_ERROR_RATE, nexus::v1::METRIC_LATENCY_P95,
        nexus::v1::METRIC_QUALITY, nexus::v1::METRIC_COST};
    const int points = 60;
    const std::int64_t step = windowSeconds * 1'000'000 / points;
    for (int d = 0; d < 3; ++d)
        for (int k = 0; k < 5; ++k) {
            auto* s = r.add_series();
            s->set_key(deployments[d]);
            s->set_is_deployment(true);
            s->set_metric(metrics[k]);
            for (int p = 0; p <= points; ++p) {
                auto* pt = s->add_points();
                pt->set_t_us(kAsOfUs - (points - p) * step);
                const double wave = jitter(p + 7 * d, k + 1);
                double v = 0;
                switch (k) {
                case 0:
                    v = (d == 2 ? 3 : 8) * (1 + 0.1 * wave);
                    break;
                case 1:
                    v = (d == 0 ? 0.06 : 0.02) + 0.01 * wave;
                    break;
                case 2:
                    v = (d == 0 ? 2100 : d == 1 ? 900 : 1250) * (1 + 0.05 * wave);
                    break;
                case 3:
                    v = (d == 0 ? 0.84 - 0.0005 * p : 0.86) + 0.01 * wave;
                    break;
                default:
                    v = (d == 2 ? 1.7e6 : 4.2e6) * (1 + 0.05 * wave);
                }
                pt->set_value(v);
                pt->set_count(60);
            }
        }
    return r;
}

} // namespace nexus::testing
