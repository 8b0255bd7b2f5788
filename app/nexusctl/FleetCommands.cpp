// nexusctl fleet / audit / whoami / health
#include "Commands.h"
#include "NexusClient.h"
#include "Output.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "nexus/v1/audit.grpc.pb.h"
#include "nexus/v1/common.grpc.pb.h"
#include "nexus/v1/fleet.grpc.pb.h"

#include <cstdio>

namespace nexusctl {

namespace pb = ::nexus::v1;

namespace {

std::set<std::string> with(std::set<std::string> extra)
{
    auto all = connectionOptions();
    all.insert(extra.begin(), extra.end());
    return all;
}

int fleetLs(const ArgParser& args, const Connection& c)
{
    auto service = pb::Fleet::NewStub(c.channel);
    pb::ListInstancesRequest request;
    request.set_deployment(args.value("deployment", ""));
    request.set_page_size(1000);
    pb::ListInstancesResponse response;
    auto ctx = c.context();
    if (auto s = service->ListInstances(ctx.get(), request, &response); !s.ok())
        return reportError("fleet ls", s);
    if (args.flag("json")) {
        printJson(response);
        return 0;
    }
    Table t({"INSTANCE", "DEPLOYMENT", "VERSION", "REGION", "STATUS", "RUNS/S", "ERRORS", "P95",
             "QUALITY", "COST/H"});
    for (const auto& i : response.instances()) {
        const auto& m = i.metrics();
        t.add({i.instance_id(), i.deployment(), i.version(), i.region(),
               enumSuffix(pb::InstanceStatus_Name(i.status()), "INSTANCE_STATUS_"),
               formatFixed(m.runs_per_sec(), 2), formatPercent(m.error_rate()),
               formatFixed(m.latency_p95_ms(), 0) + " ms",
               m.has_quality() ? formatFixed(m.quality(), 3) : "-",
               formatMoney(m.cost_per_hour_micros())});
    }
    t.print();
    const auto& tot = response.totals();
    std::printf("\n%d instances (%d healthy, %d degraded, %d unhealthy, %d stale), %.2f runs/s, %s "
                "errors\n",
                tot.instances(), tot.healthy(), tot.degraded(), tot.unhealthy(), tot.stale(),
                tot.runs_per_sec(), formatPercent(tot.error_rate()).c_str());
    return 0;
}

} // namespace

int fleetCommand(const Args& raw)
{
    const ArgParser args(raw, with({"deployment"}), {"json", "help"});
    if (args.flag("help") || args.positional().empty()) {
        std::printf(
            "Usage: nexusctl fleet ls [--deployment D] [--json] [connection options]\n\n"
            "Lists the fleet's instances with their live metrics.\n"
            "Connection options: --nexus HOST:PORT (NEXUS_ADDRESS), --token T (NEXUS_TOKEN),\n"
            "  --token-file F, --tls-ca PEM, --timeout SECONDS\n");
        return args.flag("help") ? 0 : 2;
    }
    if (!args.ok())
        return usage("fleet", args.error());
    auto c = connect(args);
    if (!c)
        return 2;
    if (args.positional()[0] == "ls")
        return fleetLs(args, *c);
    return usage("fleet", "unknown subcommand " + args.positional()[0]);
}

int auditCommand(const Args& raw)
{
    const ArgParser args(raw, with({"actor", "action", "target", "limit"}), {"json", "help"});
    if (args.flag("help") || args.positional().empty() || args.positional()[0] != "ls") {
        std::printf("Usage: nexusctl audit ls [--actor A] [--action PREFIX] [--target ID] [--limit "
                    "N] [--json]\n\n"
                    "Lists the audit log, newest first (operator role or above).\n");
        return args.flag("help") ? 0 : 2;
    }
    if (!args.ok())
        return usage("audit", args.error());
    auto c = connect(args);
    if (!c)
        return 2;
    auto service = pb::Audit::NewStub(c->channel);
    pb::ListAuditRequest request;
    request.set_actor(args.value("actor", ""));
    request.set_action_prefix(args.value("action", ""));
    request.set_target(args.value("target", ""));
    const auto limit = args.integer("limit", 50);
    if (!limit)
        return usage("audit", "--limit takes a number");
    request.set_page_size(static_cast<int>(*limit));
    pb::ListAuditResponse response;
    auto ctx = c->context();
    if (auto s = service->ListAudit(ctx.get(), request, &response); !s.ok())
        return reportError("audit ls", s);
    if (args.flag("json")) {
        printJson(response);
        return 0;
    }
    Table t({"SEQ", "TIME (UTC)", "ACTOR", "ACTION", "TARGET", "OUTCOME"});
    for (const auto& r : response.records())
        t.add({std::to_string(r.seq()), formatTime(r.at_us()), r.actor(), r.action(), r.target(),
               r.outcome()});
    t.print();
    return 0;
}

int whoamiCommand(const Args& raw)
{
    const ArgParser args(raw, connectionOptions(), {"json", "help"});
    if (args.flag("help")) {
        std::printf(
            "Usage: nexusctl whoami [--json]\n\nShows who Nexus takes you for, and your role.\n");
        return 0;
    }
    if (!args.ok())
        return usage("whoami", args.error());
    auto c = connect(args);
    if (!c)
        return 2;
    auto service = pb::Session::NewStub(c->channel);
    pb::WhoAmIResponse response;
    auto ctx = c->context();
    if (auto s = service->WhoAmI(ctx.get(), pb::WhoAmIRequest(), &response); !s.ok())
        return reportError("whoami", s);
    if (args.flag("json")) {
        printJson(response);
        return 0;
    }
    std::printf("%s (%s) on Nexus %s%s\n", response.actor().c_str(),
                enumSuffix(pb::Role_Name(response.role()), "ROLE_").c_str(),
                response.server_version().c_str(), response.sandbox() ? ", sandbox" : "");
    return 0;
}

int healthCommand(const Args& raw)
{
    const ArgParser args(raw, connectionOptions(), {"json", "help"});
    if (args.flag("help")) {
        std::printf("Usage: nexusctl health [--json]\n\nAsks Nexus's standard gRPC health service; "
                    "exit 0 when serving.\n--json prints {\"status\": \"SERVING\"} (or "
                    "NOT_SERVING, ...).\n");
        return 0;
    }
    if (!args.ok())
        return usage("health", args.error());
    auto c = connect(args);
    if (!c)
        return 2;
    auto service = grpc::health::v1::Health::NewStub(c->channel);
    grpc::health::v1::HealthCheckResponse response;
    auto ctx = c->context();
    if (auto s = service->Check(ctx.get(), grpc::health::v1::HealthCheckRequest(), &response);
        !s.ok())
        return reportError("health", s);
    const bool serving = response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
    if (args.flag("json"))
        printJson(response);
    else
        std::printf("%s\n", serving ? "serving" : "not serving");
    return serving ? 0 : 1;
}

} // namespace nexusctl
