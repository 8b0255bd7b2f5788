#include "widgets/ReplayJob.h"

#include "runtime/GraphLoader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFuture>
#include <QFutureWatcher>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace nexus::widgets {

namespace {

constexpr qint64 kMaxGraphFileBytes = 4 * 1024 * 1024;
constexpr int kMaxLibraryFiles = 200;
constexpr int kPollMs = 100;

} // namespace

std::string recordedGraphName(const runtime::Recording& recording)
{
    if (recording.graph && !recording.graph->name.empty())
        return recording.graph->name;
    for (const runtime::RecordedRunRef& run : recording.runs)
        if (run.threadId == recording.threadId && run.runIndex == recording.runIndex)
            return run.graphName;
    return {};
}

QString findLibraryGraphFile(const QString& dir, const std::string& graphName)
{
    if (dir.isEmpty() || graphName.empty())
        return {};
    const QDir library(dir);
    const QString named =
        library.filePath(QString::fromStdString(graphName) + QStringLiteral(".json"));
    if (QFileInfo(named).isFile())
        return named;
    // Any file there whose "name" is the graph's (small files only, a handful of them).
    const QFileInfoList files =
        library.entryInfoList({QStringLiteral("*.json")}, QDir::Files | QDir::Readable, QDir::Name);
    for (int i = 0; i < files.size() && i < kMaxLibraryFiles; ++i) {
        if (files[i].size() > kMaxGraphFileBytes)
            continue;
        QFile file(files[i].filePath());
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const auto doc = nlohmann::json::parse(file.readAll().toStdString(), nullptr, false);
        if (doc.is_object() && doc.value("name", nlohmann::json()).is_string() &&
            doc["name"].get<std::string>() == graphName)
            return files[i].filePath();
    }
    return {};
}

LibraryGraph loadLibraryGraph(const QString& dir, const std::string& graphName)
{
    LibraryGraph out;
    const QString path = findLibraryGraphFile(dir, graphName);
    if (path.isEmpty())
        return out;
    auto loaded = runtime::loadGraphFile(path.toStdString());
    if (!loaded) {
        out.warning =
            QObject::tr("The library file %1 does not load: %2")
                .arg(QFileInfo(path).fileName(), QString::fromStdString(loaded.error().message));
        return out;
    }
    out.graph = std::move(loaded->graph);
    out.path = path;
    return out;
}

ReplayJobOutput runReplayJob(ReplayJobInput input, const ReplayProgressFn& progress)
{
    ReplayJobOutput out;
    auto phase = [&progress](ReplayPhase which) -> runtime::ProgressFn {
        if (!progress)
            return {};
        return [&progress, which](std::size_t done, std::size_t total) {
            return progress(which, done, total);
        };
    };
    std::optional<runtime::Graph> graph = std::move(input.graph);
    std::string source = std::move(input.source);
    if (input.recording) {
        out.recording = std::move(input.recording);
    } else {
        runtime::RecordingOptions options;
        options.progress = phase(ReplayPhase::Reading);
        auto recording =
            std::make_shared<runtime::Recording>(runtime::readRecording(input.messages, options));
        if (recording->cancelled) {
            out.cancelled = true;
            out.messages = std::move(input.messages);
            return out;
        }
        out.library = loadLibraryGraph(input.library, recordedGraphName(*recording));
        if (out.library.graph) {
            graph = out.library.graph;
            source = out.library.path.toStdString();
        }
        out.recording = std::move(recording);
    }
    runtime::ReplayOptions options;
    options.graphSource = std::move(source);
    options.progress = phase(ReplayPhase::Replaying);
    auto session =
        std::make_shared<runtime::ReplaySession>(*out.recording, std::move(graph), options);
    if (session->cancelled()) {
        out.cancelled = true;
        out.messages = std::move(input.messages);
        return out;
    }
    out.session = std::move(session);
    return out;
}

struct ReplayJobRunner::Job
{
    std::atomic<bool> cancel{false};
    std::atomic<int> phase{int(ReplayPhase::Reading)};
    std::atomic<std::size_t> done{0};
    std::atomic<std::size_t> total{0};
    QFuture<std::shared_ptr<ReplayJobOutput>> future;
};

ReplayJobRunner::ReplayJobRunner(QObject* parent) : QObject(parent), timer_(new QTimer(this))
{
    timer_->setInterval(kPollMs);
    connect(timer_, &QTimer::timeout, this, &ReplayJobRunner::poll);
}

ReplayJobRunner::~ReplayJobRunner()
{
    if (job_)
        dropped_.push_back(job_);
    for (const auto& job : dropped_)
        job->cancel = true;
    for (const auto& job : dropped_)
        job->future.waitForFinished();
}

void ReplayJobRunner::drop()
{
    if (!job_)
        return;
    job_->cancel = true;
    dropped_.push_back(std::move(job_));
    timer_->stop();
}

void ReplayJobRunner::start(ReplayJobInput input)
{
    drop();
    auto job = std::make_shared<Job>();
    Job* raw = job.get(); // lives until its future has finished (dropped_ / the destructor)
    job->future = QtConcurrent::run([raw, input = std::move(input)]() mutable {
        return std::make_shared<ReplayJobOutput>(runReplayJob(
            std::move(input), [raw](ReplayPhase phase, std::size_t done, std::size_t total) {
                raw->phase = int(phase);
                raw->total = total;
                raw->done = done;
                return !raw->cancel.load();
            }));
    });
    auto* watcher = new QFutureWatcher<std::shared_ptr<ReplayJobOutput>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, job] {
        watcher->deleteLater();
        jobEnded(job, job->future.result());
    });
    watcher->setFuture(job->future);
    job_ = std::move(job);
    timer_->start();
    poll();
}

void ReplayJobRunner::cancel()
{
    if (job_)
        job_->cancel = true;
}

ReplayPhase ReplayJobRunner::phase() const
{
    return job_ ? ReplayPhase(job_->phase.load()) : ReplayPhase::Reading;
}

std::size_t ReplayJobRunner::done() const
{
    return job_ ? job_->done.load() : 0;
}

std::size_t ReplayJobRunner::total() const
{
    return job_ ? job_->total.load() : 0;
}

void ReplayJobRunner::poll()
{
    if (job_)
        emit progressed(phase(), done(), total());
}

void ReplayJobRunner::jobEnded(const std::shared_ptr<Job>& job,
                               std::shared_ptr<ReplayJobOutput> output)
{
    if (job != job_) { // a job that was replaced: its result is dropped
        dropped_.erase(std::remove(dropped_.begin(), dropped_.end(), job), dropped_.end());
        return;
    }
    job_.reset();
    timer_->stop();
    if (output->cancelled)
        emit cancelled(std::move(output));
    else
        emit finished(std::move(output));
}

} // namespace nexus::widgets
