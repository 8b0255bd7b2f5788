#include "TraceAnalysisTabs.h"

#include "models/RunStore.h"
#include "models/TraceComparison.h"
#include "protocol/Dstrace.h"
#include "widgets/CostBreakdownView.h"
#include "widgets/ReplayDebuggerView.h"
#include "widgets/RunView.h"
#include "widgets/TraceCompareView.h"

#include "TraceLoader.h"
#include "TracesPage.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QVBoxLayout>

#include <fstream>

namespace nexus::app {

namespace {

QString qs(const std::string& s)
{
    return QString::fromStdString(s);
}

QString runText(const models::Run& run)
{
    QString text = qs(run.threadId);
    if (run.ordinal > 1)
        text += QStringLiteral(" #%1").arg(run.ordinal);
    if (!run.graphName.empty())
        text += QStringLiteral(" · ") + qs(run.graphName);
    return text + QStringLiteral(" · ") + QString::fromLatin1(models::runStatusName(run.status));
}

// A file name from a thread id: letters, digits, '-', '_', '.', '~' kept.
QString fileSafe(const QString& text)
{
    QString out;
    for (const QChar c : text)
        out += c.isLetterOrNumber() || QStringLiteral("-_.~").contains(c) ? c : QChar('_');
    return out.isEmpty() ? QStringLiteral("fork") : out;
}

} // namespace

TraceAnalysisTabs::TraceAnalysisTabs(TracesPage* page, QString graphLibrary, QString forksDir)
    : QObject(page), page_(page), forksDir_(std::move(forksDir)),
      cost_(new widgets::CostBreakdownView), comparePage_(new QWidget),
      compareWith_(new QComboBox(comparePage_)), compareHint_(new QLabel(comparePage_)),
      compare_(new widgets::TraceCompareView(comparePage_)),
      debugger_(new widgets::ReplayDebuggerView)
{
    if (forksDir_.isEmpty())
        forksDir_ = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                    QStringLiteral("/forks");

    auto* tabs = page_->inspectorTabs();
    cost_->setObjectName(QStringLiteral("traceCost"));
    tabs->addTab(cost_, tr("Cost"));

    comparePage_->setObjectName(QStringLiteral("traceComparePage"));
    compareWith_->setObjectName(QStringLiteral("compareWith"));
    compareWith_->setAccessibleName(tr("Compare the selected trace with"));
    compareWith_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    compareHint_->setText(tr("Open a second trace (search results, File › Open Trace, or a fork) "
                             "to compare it with the selected one."));
    compareHint_->setWordWrap(true);
    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Selected trace (A) compared with (B):"), comparePage_));
    row->addWidget(compareWith_);
    row->addStretch(1);
    auto* compareLayout = new QVBoxLayout(comparePage_);
    compareLayout->setContentsMargins(4, 4, 4, 4);
    compareLayout->addLayout(row);
    compareLayout->addWidget(compareHint_);
    compareLayout->addWidget(compare_, 1);
    tabs->addTab(comparePage_, tr("Compare"));

    debugger_->setObjectName(QStringLiteral("traceDebugger"));
    debugger_->setGraphLibrary(std::move(graphLibrary));
    tabs->addTab(debugger_, tr("Debugger"));

    connect(page_, &TracesPage::currentTraceChanged, this,
            [this](quint64 runId) { currentChanged(runId); });
    connect(page_, &TracesPage::traceStoreChanged, this, [this] { storeChanged(); });
    connect(page_, &TracesPage::traceOpened, this, [this] { refreshCompareChoices(); });
    connect(page_, &TracesPage::traceClosed, this, [this] { refreshCompareChoices(); });
    connect(tabs, &QTabWidget::currentChanged, this, [this](int index) { tabShown(index); });
    connect(compareWith_, &QComboBox::currentIndexChanged, this, [this] {
        compareDirty_ = true;
        refreshComparison();
    });
    // A step picked in the comparison (its divergence, a double-clicked row)
    // opens that run's Run tab at the step.
    connect(compare_, &widgets::TraceCompareView::stepPickedA, this,
            [this](quint32 step) { showStep(page_->currentRunId(), step); });
    connect(compare_, &widgets::TraceCompareView::stepPickedB, this, [this](quint32 step) {
        // A row both runs have is shown in A (the selected trace); only a row
        // that ran in B alone switches to B.
        const auto& comparison = compare_->comparison();
        const int row = compare_->selectedRow();
        if (comparison && row >= 0 && std::size_t(row) < comparison->rows.size() &&
            comparison->rows[std::size_t(row)].stepA != models::kNoIndex)
            return;
        showStep(compareWith_->currentData().toULongLong(), step);
    });
    connect(debugger_, &widgets::ReplayDebuggerView::forkCreated, this,
            [this](const QString& origin, const QString& fork,
                   const std::vector<std::string>& records) { saveFork(origin, fork, records); });
    refreshCompareChoices();
}

void TraceAnalysisTabs::compareWithRun(std::uint64_t otherRunId)
{
    const int index = compareWith_->findData(QVariant::fromValue<quint64>(otherRunId));
    if (index >= 0)
        compareWith_->setCurrentIndex(index);
    page_->inspectorTabs()->setCurrentWidget(comparePage_);
    compareDirty_ = true;
    refreshComparison();
}

void TraceAnalysisTabs::showStep(std::uint64_t runId, std::uint32_t step)
{
    if (!runId || !page_->traceStore().run(runId))
        return;
    page_->setCurrentRun(runId);
    page_->inspectorTabs()->setCurrentWidget(page_->runView());
    page_->runView()->setFollowLive(false);
    page_->runView()->setCursor(step);
}

void TraceAnalysisTabs::currentChanged(std::uint64_t runId)
{
    cost_->setRun(runId ? page_->traceStore().run(runId) : nullptr);
    compareDirty_ = true;
    refreshCompareChoices();
    tabShown(page_->inspectorTabs()->currentIndex());
}

void TraceAnalysisTabs::storeChanged()
{
    // Runs may have been added or the store emptied: re-resolve the pointer.
    const std::uint64_t current = page_->currentRunId();
    cost_->setRun(current ? page_->traceStore().run(current) : nullptr);
    compareDirty_ = true;
    refreshCompareChoices();
}

void TraceAnalysisTabs::tabShown(int index)
{
    QWidget* shown = page_->inspectorTabs()->widget(index);
    if (shown == comparePage_)
        refreshComparison();
    else if (shown == debugger_)
        refreshDebugger();
}

void TraceAnalysisTabs::refreshCompareChoices()
{
    const std::uint64_t current = page_->currentRunId();
    const QVariant kept = compareWith_->currentData();
    const QSignalBlocker blocker(compareWith_);
    compareWith_->clear();
    const models::RunStore& store = page_->traceStore();
    for (std::uint64_t id : page_->openRunIds())
        if (id != current)
            if (const models::Run* run = store.run(id))
                compareWith_->addItem(runText(*run), QVariant::fromValue<quint64>(id));
    const int index = kept.isValid() ? compareWith_->findData(kept) : -1;
    compareWith_->setCurrentIndex(index >= 0 ? index : (compareWith_->count() ? 0 : -1));
    const bool canCompare = current != 0 && compareWith_->count() > 0;
    compareWith_->setEnabled(canCompare);
    compareHint_->setVisible(!canCompare);
    compare_->setVisible(canCompare);
    if (page_->inspectorTabs()->currentWidget() == comparePage_)
        refreshComparison();
}

void TraceAnalysisTabs::refreshComparison()
{
    if (!compareDirty_ || page_->inspectorTabs()->currentWidget() != comparePage_)
        return;
    compareDirty_ = false;
    const std::uint64_t current = page_->currentRunId();
    const QVariant other = compareWith_->currentData();
    const models::RunStore& store = page_->traceStore();
    if (!current || !other.isValid() || !store.run(current) || !store.run(other.toULongLong())) {
        compare_->clear();
        return;
    }
    compare_->setRuns(store, current, other.toULongLong());
}

void TraceAnalysisTabs::refreshDebugger()
{
    const std::uint64_t current = page_->currentRunId();
    if (current == debuggerRun_)
        return;
    debuggerRun_ = current;
    const auto records = current ? page_->rawRecords(current) : nullptr;
    const models::Run* run = current ? page_->traceStore().run(current) : nullptr;
    if (!records || !run) {
        debugger_->clear();
        return;
    }
    DecodedTrace decoded = decodeTrace(page_->originOf(current), records);
    debugger_->setTrace(std::move(decoded.messages), runText(*run));
}

void TraceAnalysisTabs::saveFork(const QString& originThread, const QString& forkThread,
                                 const std::vector<std::string>& records)
{
    lastForkPath_.clear();
    lastForkError_.clear();
    QString path;
    if (!QDir().mkpath(forksDir_)) {
        lastForkError_ = tr("cannot create %1").arg(forksDir_);
    } else {
        path = forksDir_ + QLatin1Char('/') + fileSafe(forkThread) + QStringLiteral(".dstrace");
        const QString partial = path + QStringLiteral(".partial");
        {
            std::ofstream out(partial.toStdString(), std::ios::binary | std::ios::trunc);
            protocol::DstraceWriter writer(out);
            for (const auto& record : records)
                if (auto written = writer.append(record); !written) {
                    lastForkError_ = qs(written.error().message);
                    break;
                }
            out.flush();
            if (lastForkError_.isEmpty() && !out)
                lastForkError_ = tr("cannot write %1").arg(partial);
        }
        QFile::remove(path);
        if (lastForkError_.isEmpty() && !QFile::rename(partial, path))
            lastForkError_ = tr("cannot rename %1 to %2").arg(partial, path);
        if (!lastForkError_.isEmpty())
            QFile::remove(partial);
        else
            lastForkPath_ = path;
    }
    // The fork opens whether or not it could be kept on disk: nothing is lost
    // while the console runs, and the page's Export still works.
    page_->openRecords(lastForkPath_.isEmpty() ? tr("fork of %1").arg(originThread) : lastForkPath_,
                       records);
    emit forkSaved(lastForkPath_, lastForkError_);
}

} // namespace nexus::app
