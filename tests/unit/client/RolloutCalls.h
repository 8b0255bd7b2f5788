#pragma once
// The rollout client tests' helpers: one call asked and its answer awaited
// on the caller's thread, versions made in the store, a signed-in client,
// and what a RolloutWatcher delivered.
#include "client/NexusClient.h"
#include "client/RolloutWatcher.h"

#include "KnowledgeSeed.h"

#include <QHash>
#include <QSignalSpy>
#include <QTest>

#include <functional>
#include <memory>
#include <string>

namespace nexus::testing {

namespace pb = ::nexus::v1;
using nexus::client::CallError;
using nexus::client::NexusClient;
using nexus::client::RolloutWatcher;
using RolloutAction = NexusClient::RolloutAction;

// The outcome of one call, gathered on the caller's thread.
template <class Response> struct Answer
{
    bool arrived = false;
    bool ok = false;
    Response response;
    CallError error;
};

template <class Response, class Signal>
Answer<Response> ask(NexusClient& client, Signal signal, const std::function<quint64()>& call)
{
    QSignalSpy done(&client, signal);
    QSignalSpy failed(&client, &NexusClient::callFailed);
    const quint64 id = call();
    Answer<Response> answer;
    if (!QTest::qWaitFor([&] { return !done.isEmpty() || !failed.isEmpty(); }, 30000))
        return answer; // arrived stays false: the test says so
    if (!done.isEmpty() && done.first().at(0).toULongLong() == id) {
        answer.arrived = answer.ok = true;
        answer.response = done.first().at(1).template value<Response>();
    } else if (!failed.isEmpty() && failed.first().at(0).toULongLong() == id) {
        answer.arrived = true;
        answer.error = failed.first().at(1).value<CallError>();
    }
    return answer;
}

inline Answer<pb::Rollout> launch(NexusClient& c, const pb::LaunchRolloutRequest& r)
{
    return ask<pb::Rollout>(c, &NexusClient::rolloutChanged, [&] { return c.launchRollout(r); });
}

inline Answer<pb::Rollout> launchDefault(NexusClient& c, const pb::OptimizationVersion& v)
{
    pb::LaunchRolloutRequest r;
    r.set_version_id(v.version_id());
    r.set_request_id(NexusClient::newRequestId().toStdString());
    return launch(c, r);
}

inline Answer<pb::Rollout> act(NexusClient& c, RolloutAction action,
                               const pb::RolloutActionRequest& r)
{
    return ask<pb::Rollout>(c, &NexusClient::rolloutChanged,
                            [&] { return c.rolloutAction(action, r); });
}

// An action on `r` with a fresh request id, not checking the revision.
inline pb::RolloutActionRequest on(const pb::Rollout& r)
{
    pb::RolloutActionRequest a;
    a.set_rollout_id(r.rollout_id());
    a.set_request_id(NexusClient::newRequestId().toStdString());
    return a;
}

inline Answer<pb::Rollout> get(NexusClient& c, const pb::Rollout& r)
{
    return ask<pb::Rollout>(c, &NexusClient::rolloutReceived,
                            [&] { return c.getRollout(QString::fromStdString(r.rollout_id())); });
}

inline Answer<pb::ListVersionsResponse> versionsOf(NexusClient& c, const pb::OptimizationVersion& v)
{
    pb::ListVersionsRequest r;
    r.set_graph_name(v.graph_name());
    r.set_node_id(v.node_id());
    return ask<pb::ListVersionsResponse>(c, &NexusClient::versionsListed,
                                         [&] { return c.listVersions(r); });
}

inline pb::VersionState stateOf(const pb::ListVersionsResponse& versions,
                                const std::string& versionId)
{
    for (const auto& v : versions.versions())
        if (v.version_id() == versionId)
            return v.state();
    return pb::VERSION_STATE_UNSPECIFIED;
}

// A CANDIDATE version made by hand (no knowledge entry behind it).
inline pb::OptimizationVersion candidate(TestNexus& n, const std::string& content,
                                         const std::string& graph = "support_triage")
{
    pb::OptimizationVersion v;
    v.set_graph_name(graph);
    v.set_node_id("classify");
    v.set_target_param("system_prompt");
    v.set_content(content);
    v.set_state(pb::VERSION_STATE_CANDIDATE);
    auto stored = n.server->store().createVersion(v, kT0);
    if (!stored)
        qFatal("createVersion failed: %s", stored.error().message.c_str());
    return *stored;
}

// A client that connected (WhoAmI answered): its state is Ready.
inline std::unique_ptr<NexusClient> signedIn(const TestNexus& nexus, const char* token)
{
    auto client = std::make_unique<NexusClient>(nexus.endpoint(token));
    QSignalSpy who(client.get(), &NexusClient::whoAmIReceived);
    client->connectToNexus();
    if (!who.wait(10000) || client->state() != NexusClient::State::Ready)
        qFatal("could not sign in");
    return client;
}

// What a watcher delivered, in order.
struct RolloutLog
{
    QList<pb::Rollout> seen;
    int subscriptions = 0;

    explicit RolloutLog(RolloutWatcher& watcher)
    {
        QObject::connect(&watcher, &RolloutWatcher::rolloutReceived, &watcher,
                         [this](const pb::Rollout& r) { seen << r; });
        QObject::connect(&watcher, &RolloutWatcher::subscribed, &watcher,
                         [this] { ++subscriptions; });
    }

    // The newest delivery of rollout `id` (empty rollout_id when none).
    pb::Rollout last(const std::string& id) const
    {
        for (auto it = seen.crbegin(); it != seen.crend(); ++it)
            if (it->rollout_id() == id)
                return *it;
        return {};
    }

    // Empty when no rollout ever went back to an older revision.
    QString backwardsError() const
    {
        QHash<QString, qint64> newest;
        for (const auto& r : seen) {
            const QString id = QString::fromStdString(r.rollout_id());
            if (newest.contains(id) && r.revision() < newest.value(id))
                return QStringLiteral("%1 went from revision %2 back to %3")
                    .arg(id)
                    .arg(newest.value(id))
                    .arg(r.revision());
            newest.insert(id, r.revision());
        }
        return {};
    }
};

} // namespace nexus::testing
