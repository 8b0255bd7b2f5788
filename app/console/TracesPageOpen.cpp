// The Traces tab: opening traces (Nexus, files, record sets), the open
// traces selector, the banner and progress row, closing and exporting.
#include "client/NexusClient.h"
#include "models/TraceFormat.h"
#include "widgets/RunView.h"
#include "widgets/ThemeStyle.h"

#include "TraceLoader.h"
#include "TracesPage.h"

#include <QComboBox>
#include <QDateTime>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLabel>
#include <QProgressBar>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QtConcurrent>

#include <google/protobuf/util/json_util.h>

namespace nexus::app {

namespace pb = ::nexus::v1;

namespace {

const QString kNexus = QStringLiteral("Nexus");

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

int TracesPage::startLoad(const QString& label)
{
    const int id = nextLoad_++;
    loads_[id].label = label;
    loads_[id].progress = std::make_shared<TraceProgress>();
    if (!progressPoll_) {
        progressPoll_ = new QTimer(this);
        progressPoll_->setInterval(100);
        connect(progressPoll_, &QTimer::timeout, this, &TracesPage::updateProgress);
    }
    progressPoll_->start();
    updateProgress();
    return id;
}

void TracesPage::openThread(const QString& threadId)
{
    if (threadId.isEmpty())
        return;
    for (const auto& [runId, source] : open_)
        if (source->origin == kNexus && source->summary &&
            qs(source->summary->thread_id()) == threadId) {
            setCurrentRun(runId);
            return;
        }
    for (const auto& [id, load] : loads_)
        if (load.threadId == threadId)
            return; // on its way
    if (!client_) {
        const QString text = tr("Cannot download %1: not connected to Nexus.").arg(threadId);
        showBanner(text, BannerLevel::Error);
        emit loadFinished(kNexus, 0, 0, QString(), text);
        return;
    }
    const int load = startLoad(tr("Downloading %1").arg(threadId));
    loads_[load].origin = kNexus;
    loads_[load].threadId = threadId;
    loads_[load].requestId = client_->getTrace(threadId);
    updateProgress();
}

void TracesPage::openFile(const QString& path)
{
    const int load = startLoad(tr("Reading %1").arg(QFileInfo(path).fileName()));
    loads_[load].origin = path;
    auto cancel = loads_[load].cancel;
    auto progress = loads_[load].progress;
    auto* watcher = new QFutureWatcher<std::shared_ptr<DecodedTrace>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, load] {
        watcher->deleteLater();
        finishLoad(load, watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([path, cancel, progress] {
        return std::make_shared<DecodedTrace>(readTraceFile(path, cancel.get(), progress.get()));
    }));
}

void TracesPage::openRecords(const QString& origin, std::vector<std::string> records)
{
    const int load = startLoad(tr("Decoding %1").arg(origin));
    loads_[load].origin = origin;
    decodeInBackground(load, origin,
                       std::make_shared<const std::vector<std::string>>(std::move(records)));
}

void TracesPage::decodeInBackground(int load, const QString& origin,
                                    std::shared_ptr<const std::vector<std::string>> records)
{
    auto cancel = loads_[load].cancel;
    auto progress = loads_[load].progress;
    auto* watcher = new QFutureWatcher<std::shared_ptr<DecodedTrace>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, load] {
        watcher->deleteLater();
        finishLoad(load, watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([origin, records = std::move(records), cancel, progress] {
        return std::make_shared<DecodedTrace>(
            decodeTrace(origin, records, cancel.get(), progress.get()));
    }));
}

void TracesPage::downloadProgress(quint64 requestId, qint64 records, qint64 expected, qint64)
{
    for (auto& [id, load] : loads_)
        if (load.requestId == requestId) {
            load.records = records;
            load.expected = expected;
            updateProgress();
            return;
        }
}

void TracesPage::downloaded(quint64 requestId, const client::TraceDownload& trace)
{
    for (auto& [id, load] : loads_)
        if (load.requestId == requestId) {
            load.requestId = 0;
            load.summary = trace.summary;
            load.records = qint64(trace.records ? trace.records->size() : 0);
            load.label = tr("Decoding %1").arg(load.threadId);
            updateProgress();
            decodeInBackground(id, kNexus, trace.records);
            return;
        }
}

void TracesPage::cancelLoading()
{
    for (auto& [id, load] : loads_) {
        load.cancel->store(true);
        if (load.requestId && client_)
            client_->cancel(load.requestId);
    }
    // Reads and decodes still running end in finishLoad, which drops them;
    // exports end in their own handler, which removes what they wrote.
    bool exports = false;
    for (const auto& [id, load] : loads_)
        exports = exports || load.exporting;
    for (auto it = loads_.begin(); it != loads_.end();)
        it = it->second.requestId ? loads_.erase(it) : std::next(it);
    updateProgress();
    showBanner(exports ? QString::fromLatin1(kExportCancelled) : tr("Opening cancelled."),
               BannerLevel::Info);
    emit loadCancelled();
}

void TracesPage::finishLoad(int loadId, std::shared_ptr<DecodedTrace> trace)
{
    auto it = loads_.find(loadId);
    if (it == loads_.end() || !trace || trace->cancelled || it->second.cancel->load()) {
        if (it != loads_.end())
            loads_.erase(it);
        updateProgress();
        return;
    }
    const Load load = std::move(it->second);
    loads_.erase(it);
    updateProgress();
    if (!trace->error.isEmpty()) {
        showBanner(trace->error, BannerLevel::Error);
        emit loadFinished(load.origin, 0, 0, QString(), trace->error);
        return;
    }
    addTrace(load, std::move(trace));
}

void TracesPage::addTrace(const Load& load, std::shared_ptr<DecodedTrace> trace)
{
    std::vector<const protocol::ds::DashStreamMessage*> messages;
    messages.reserve(trace->messages.size());
    for (const auto& m : trace->messages)
        messages.push_back(&m);
    const models::ApplyResult result =
        store_->apply(messages, QDateTime::currentMSecsSinceEpoch() * 1000);
    const int kept = int(trace->messages.size());
    const int bad = int(trace->badRecords);
    trace->messages = {}; // the store has them now; the raw records stay for export

    auto source = std::make_shared<Source>();
    source->origin = load.origin;
    source->summary = load.summary;
    const QString name = load.origin == kNexus ? load.threadId : QFileInfo(load.origin).fileName();
    if (bad > 0)
        source->problem = tr("%1: %2 records read, %3 bad (the readable ones are shown). First "
                             "problem: %4.")
                              .arg(name)
                              .arg(kept)
                              .arg(bad)
                              .arg(trace->firstProblem);
    source->trace = std::move(trace);

    models::ApplyResult forView = result;
    forView.schemaChanges.clear(); // traces of other versions are not a change of this one
    view_->storeChanged(forView);
    emit traceStoreChanged(result);
    for (std::uint64_t removed : result.removed)
        if (open_.erase(removed)) {
            selector_->removeItem(selector_->findData(QVariant::fromValue(quint64(removed))));
            emit traceClosed(removed);
        }

    if (result.added.empty()) {
        const QString text =
            tr("%1: no run in %2 records (%3 bad).").arg(name).arg(kept).arg(bad) +
            (source->problem.isEmpty() ? QString() : QStringLiteral(" ") + source->problem);
        showBanner(text, bad ? BannerLevel::Warning : BannerLevel::Info);
        emit loadFinished(load.origin, kept, bad, source->problem, QString());
        return;
    }
    {
        const QSignalBlocker block(selector_);
        for (std::uint64_t id : result.added) {
            open_[id] = source;
            selector_->addItem(runLabel(id), QVariant::fromValue(quint64(id)));
            selector_->setItemData(selector_->count() - 1, load.origin, Qt::ToolTipRole);
        }
    }
    for (std::uint64_t id : result.added)
        emit traceOpened(id);
    setCurrentRun(result.added.front());
    if (!source->problem.isEmpty())
        showBanner(source->problem, BannerLevel::Warning);
    emit loadFinished(load.origin, kept, bad, source->problem, QString());
}

QString TracesPage::runLabel(std::uint64_t runId) const
{
    const models::Run* run = store_->run(runId);
    auto it = open_.find(runId);
    if (!run || it == open_.end())
        return {};
    QString thread = qs(run->threadId);
    if (run->ordinal > 1)
        thread += QStringLiteral(" #%1").arg(run->ordinal);
    const QString from =
        it->second->origin == kNexus ? kNexus : QFileInfo(it->second->origin).fileName();
    return QStringLiteral("%1 \u00b7 %2 \u00b7 %3")
        .arg(thread, run->graphName.empty() ? tr("unknown graph") : qs(run->graphName), from);
}

void TracesPage::updateProgress()
{
    if (loads_.empty()) {
        progressRow_->hide();
        if (progressPoll_)
            progressPoll_->stop();
        return;
    }
    // Downloads count what Nexus sent; reads and decodes what the worker
    // did (TraceProgress); a file's share is measured in bytes.
    qint64 records = 0, expected = 0, bytes = 0, totalBytes = 0;
    QStringList labels;
    for (const auto& [id, load] : loads_) {
        const TraceProgress* p = load.progress.get();
        records += std::max<qint64>(load.records, p ? p->records.load() : 0);
        expected += load.expected ? load.expected : (p ? p->totalRecords.load() : 0);
        if (p && p->totalBytes.load() > 0) {
            bytes += p->bytes.load();
            totalBytes += p->totalBytes.load();
        }
        labels << load.label;
    }
    progressText_->setText(labels.size() == 1 ? labels.front() + QStringLiteral("\u2026")
                                              : tr("Opening %1 traces\u2026").arg(labels.size()));
    progress_->setFormat(tr("%1 records").arg(models::tracefmt::count(records)));
    if (expected > 0) {
        progress_->setRange(0, 1000);
        progress_->setValue(int(std::min<qint64>(1000, records * 1000 / expected)));
        progress_->setFormat(
            tr("%1 of %2 records")
                .arg(models::tracefmt::count(records), models::tracefmt::count(expected)));
    } else if (totalBytes > 0) {
        progress_->setRange(0, 1000);
        progress_->setValue(int(std::min<qint64>(1000, bytes * 1000 / totalBytes)));
        progress_->setFormat(tr("%1 records (%2%)")
                                 .arg(models::tracefmt::count(records))
                                 .arg(bytes * 100 / totalBytes));
    } else {
        progress_->setRange(0, 0); // busy
    }
    progressRow_->show();
}

void TracesPage::selectorChanged()
{
    const QVariant data = selector_->currentData();
    setCurrentRun(data.isValid() ? data.toULongLong() : 0);
}

void TracesPage::setCurrentRun(std::uint64_t runId)
{
    if (runId && !open_.contains(runId))
        return;
    if (const int index = selector_->findData(QVariant::fromValue(quint64(runId)));
        index != selector_->currentIndex()) {
        const QSignalBlocker block(selector_);
        selector_->setCurrentIndex(index);
    }
    close_->setEnabled(runId != 0);
    export_->setEnabled(runId != 0);
    if (runId == currentRun_)
        return;
    currentRun_ = runId;
    inspectorStack_->setCurrentIndex(runId ? 1 : 0);
    view_->setFollowLive(true); // a recorded trace opens at its last step
    view_->showRun(runId);
    const auto it = open_.find(runId);
    if (it != open_.end() && !it->second->problem.isEmpty())
        showBanner(it->second->problem, BannerLevel::Warning);
    else
        hideBanner();
    emit currentTraceChanged(runId);
}

void TracesPage::closeTrace(std::uint64_t runId)
{
    if (!open_.erase(runId))
        return;
    const int index = selector_->findData(QVariant::fromValue(quint64(runId)));
    {
        const QSignalBlocker block(selector_);
        selector_->removeItem(index);
    }
    emit traceClosed(runId);
    if (open_.empty()) {
        // Once nothing is open, clearing also gives back the runs of a
        // source's other threads that were never shown.
        models::ApplyResult result;
        for (const models::Run* r : store_->runs())
            result.removed.push_back(r->id);
        setCurrentRun(0);
        store_->clear();
        view_->storeChanged(result);
        emit traceStoreChanged(result);
        return;
    }
    // Views let go of the run (a new current one) before the store does.
    if (runId == currentRun_)
        setCurrentRun(
            selector_->itemData(std::clamp(index, 0, selector_->count() - 1)).toULongLong());
    const models::ApplyResult result = store_->remove(runId);
    view_->storeChanged(result);
    emit traceStoreChanged(result);
}

std::vector<std::uint64_t> TracesPage::openRunIds() const
{
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < selector_->count(); ++i)
        ids.push_back(selector_->itemData(i).toULongLong());
    return ids;
}

std::shared_ptr<const std::vector<std::string>> TracesPage::rawRecords(std::uint64_t runId) const
{
    const auto it = open_.find(runId);
    const models::Run* run = store_->run(runId);
    if (it == open_.end() || !run)
        return nullptr;
    const DecodedTrace& trace = *it->second->trace;
    if (trace.threads.size() <= 1)
        return trace.records;
    return std::make_shared<const std::vector<std::string>>(recordsOfThread(trace, run->threadId));
}

QString TracesPage::originOf(std::uint64_t runId) const
{
    const auto it = open_.find(runId);
    return it == open_.end() ? QString() : it->second->origin;
}

std::optional<pb::TraceSummary> TracesPage::nexusSummary(std::uint64_t runId) const
{
    const auto it = open_.find(runId);
    return it == open_.end() ? std::nullopt : it->second->summary;
}

QString TracesPage::bannerText() const
{
    return banner_->isVisible() || !banner_->isHidden() ? bannerText_->text() : QString();
}

void TracesPage::showBanner(const QString& text, BannerLevel level)
{
    bannerText_->setText(text);
    const char* style = level == BannerLevel::Error     ? "background: #fdecea; color: #8c1d18;"
                        : level == BannerLevel::Warning ? "background: #fff4d6; color: #5c4300;"
                                                        : "background: #e8f0fe; color: #174ea6;";
    widgets::setThemedStyleSheet(banner_, QStringLiteral("#traceBanner { %1 border-radius: 3px; } "
                                                         "#traceBanner QLabel { %1 }")
                                              .arg(QLatin1String(style)));
    banner_->show();
    fitBanner();
}

void TracesPage::fitBanner()
{
    // A word-wrapped label inside the splitter does not get the height its
    // text needs on its own: ask it for the height at its width.
    if (banner_->isHidden() || bannerText_->width() <= 0)
        return;
    bannerText_->setMinimumHeight(bannerText_->heightForWidth(bannerText_->width()));
}

bool TracesPage::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == bannerText_ && event->type() == QEvent::Resize)
        fitBanner();
    return QWidget::eventFilter(watched, event);
}

void TracesPage::hideBanner()
{
    banner_->hide();
    bannerText_->clear();
}

nlohmann::json TracesPage::summaryJson(std::uint64_t runId) const
{
    nlohmann::json out = nlohmann::json::object();
    const models::Run* run = store_->run(runId);
    if (!run)
        return out;
    out["origin"] = originOf(runId).toStdString();
    out["thread_id"] = run->threadId;
    out["graph_name"] = run->graphName;
    out["instance_id"] = run->instanceId;
    out["status"] = models::runStatusName(run->status);
    out["started_us"] = run->startUs;
    out["ended_us"] = run->endUs;
    out["duration_us"] = run->durationUs;
    out["nodes_done"] = run->nodesDone;
    out["tokens"] = run->tokens;
    out["cost_usd"] = run->costUsd;
    out["error"] = run->errorText;
    out["steps"] = run->steps.size();
    out["integrity_issues"] = run->issues.size();
    if (const auto summary = nexusSummary(runId)) {
        std::string text;
        google::protobuf::util::JsonPrintOptions options;
        options.preserve_proto_field_names = true;
        if (google::protobuf::util::MessageToJsonString(*summary, &text, options).ok())
            out["nexus_summary"] = nlohmann::json::parse(text, nullptr, false);
    }
    return out;
}

void TracesPage::exportTrace(std::uint64_t runId, const QString& path)
{
    const auto records = rawRecords(runId);
    if (!records) {
        const QString error = tr("Nothing to export: no trace is open.");
        showBanner(error, BannerLevel::Error);
        emit exportFinished(path, error);
        return;
    }
    const bool json = path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive);
    nlohmann::json summary = json ? summaryJson(runId) : nlohmann::json();
    // In the progress row like an open, and stopped by the same Cancel.
    const int load = startLoad(tr("Exporting %1").arg(QFileInfo(path).fileName()));
    loads_[load].origin = path;
    loads_[load].exporting = true;
    auto cancel = loads_[load].cancel;
    auto progress = loads_[load].progress;
    auto* watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path, load, cancel] {
        watcher->deleteLater();
        loads_.erase(load);
        updateProgress();
        const QString error = watcher->result();
        if (cancel->load()) // cancelLoading said so already
            emit exportFinished(path, QString::fromLatin1(kExportCancelled));
        else if (error.isEmpty())
            showBanner(tr("Exported to %1.").arg(path), BannerLevel::Info);
        else
            showBanner(tr("Export failed. %1").arg(error), BannerLevel::Error);
        if (!cancel->load())
            emit exportFinished(path, error);
    });
    watcher->setFuture(
        QtConcurrent::run([json, path, records, summary = std::move(summary), cancel, progress] {
            return json ? writeTraceJson(path, *records, summary, cancel.get(), progress.get())
                        : writeDstrace(path, *records, cancel.get(), progress.get());
        }));
}

void TracesPage::chooseExportFile()
{
    const models::Run* run = store_->run(currentRun_);
    if (!run)
        return;
    QString selected;
    QString path = QFileDialog::getSaveFileName(
        this, tr("Export Trace"), qs(run->threadId) + QStringLiteral(".dstrace"),
        tr("DashStream trace (*.dstrace);;Decoded JSON (*.json)"), &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected.contains(QStringLiteral("json")) ? QStringLiteral(".json")
                                                          : QStringLiteral(".dstrace");
    exportTrace(currentRun_, path);
}

} // namespace nexus::app
