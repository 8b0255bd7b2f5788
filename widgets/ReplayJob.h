#pragma once
// The long part of the replay debugger, off the GUI thread: reading a
// recording from decoded messages, finding its graph in the library, and
// building the ReplaySession (every state rebuilt and hashed, every route
// checked). A 100,000-step run takes seconds; the debugger shows the
// progress with a Cancel button (ReplayDebuggerView).
//
// runReplayJob() is the work itself, callable on any thread; ReplayJobRunner
// runs one job at a time on the thread pool, reports its progress on the GUI
// thread at most ten times a second and hands the result back there.
// Starting a job cancels the running one, whose result is dropped.

#include "protocol/Messages.h"
#include "runtime/Graph.h"
#include "runtime/Recording.h"
#include "runtime/Replay.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QTimer;

namespace nexus::widgets {

// GRAPH_START's graph name, else the run's.
std::string recordedGraphName(const runtime::Recording& recording);
// The library file for a graph: "<dir>/<name>.json", else a *.json there
// whose "name" is the graph's; "" for none.
QString findLibraryGraphFile(const QString& dir, const std::string& graphName);

struct LibraryGraph
{
    std::optional<runtime::Graph> graph; // loaded from `path`
    QString path;
    QString warning; // the file exists but does not load: why
};
LibraryGraph loadLibraryGraph(const QString& dir, const std::string& graphName);

struct ReplayJobInput
{
    // Read these messages (then route by the library's file when there is
    // one, else the recording's own graph) ...
    std::vector<protocol::ds::DashStreamMessage> messages;
    QString library;
    // ... or replay this recording against `graph` (the recording's own when
    // none), named `source`.
    std::shared_ptr<const runtime::Recording> recording;
    std::optional<runtime::Graph> graph;
    std::string source = "recording";
};

struct ReplayJobOutput
{
    std::shared_ptr<const runtime::Recording> recording; // the one read or given
    LibraryGraph library;                                // when messages were read
    std::shared_ptr<runtime::ReplaySession> session;     // null when cancelled
    bool cancelled = false;
    // What was cancelled, so that it can run again.
    std::vector<protocol::ds::DashStreamMessage> messages;
};

enum class ReplayPhase
{
    Reading,   // the recording from its messages
    Replaying, // states, hashes and routes
};

// done/total count the phase's items; returning false cancels.
using ReplayProgressFn = std::function<bool(ReplayPhase, std::size_t done, std::size_t total)>;

ReplayJobOutput runReplayJob(ReplayJobInput input, const ReplayProgressFn& progress = {});

class ReplayJobRunner : public QObject
{
    Q_OBJECT
public:
    explicit ReplayJobRunner(QObject* parent = nullptr);
    ~ReplayJobRunner() override; // cancels and waits for the running job

    void start(ReplayJobInput input);
    void cancel(); // the running job stops at its next check; cancelled() follows
    void drop();   // ... and its end is not signalled: the runner is free at once
    bool busy() const { return job_ != nullptr; }

    // The last progress reported (for tests and the status line).
    ReplayPhase phase() const;
    std::size_t done() const;
    std::size_t total() const;

signals:
    void progressed(nexus::widgets::ReplayPhase phase, qulonglong done, qulonglong total);
    void finished(std::shared_ptr<nexus::widgets::ReplayJobOutput> output);
    void cancelled(std::shared_ptr<nexus::widgets::ReplayJobOutput> output);

private:
    struct Job;
    void poll();
    void jobEnded(const std::shared_ptr<Job>& job, std::shared_ptr<ReplayJobOutput> output);

    std::shared_ptr<Job> job_;
    std::vector<std::shared_ptr<Job>> dropped_; // cancelled, still winding down
    QTimer* timer_;
};

} // namespace nexus::widgets
