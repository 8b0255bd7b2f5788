#pragma once
// The Traces tab (docs/traces.md), after Jaeger's search page and trace
// view: search the runs Nexus recorded (filters, a paged result list that
// the server sorts), open a trace from Nexus or from a .dstrace file (no
// server needed), inspect it in the same run view as a live run, and export
// it (.dstrace byte for byte, or .json).
//
// Opened traces live in the page's own RunStore, so the live Runs tab's
// caps never evict them, together with their raw record values (for export
// and for the replay engine). Several can be open; the selector picks the
// one the inspector shows. Further views of the selected trace (cost
// breakdown, comparison, replay) join as tabs of inspectorTabs() and follow
// currentTraceChanged / traceStoreChanged.
//
// Nothing blocks the GUI thread: downloads stream through the NexusClient,
// files are read and records decoded with QtConcurrent; both show progress
// and can be cancelled. Bad records never cost the readable ones: the
// banner says how many were read, how many were bad and where the first
// problem is.

#include "models/RunStore.h"

#include "nexus/v1/traces.pb.h"

#include <QPointer>
#include <QWidget>

#include <atomic>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

class QComboBox;
class QDateTimeEdit;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QTimer;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QToolButton;

namespace nexus::client {
class NexusClient;
struct CallError;
struct TraceDownload;
} // namespace nexus::client
namespace nexus::models {
class TraceSearchModel;
}
namespace nexus::widgets {
class RunView;
}

namespace nexus::app {

class ConsoleSession;
struct DecodedTrace;
struct TraceProgress;

class TracesPage : public QWidget
{
    Q_OBJECT
public:
    explicit TracesPage(ConsoleSession* session, QWidget* parent = nullptr);
    ~TracesPage() override; // cancels downloads and reads in flight

    // --- Search (Nexus): the form's filters, from the first page; the next
    // page appended. Failures show in the page (and the notification area).
    void search();
    void loadMore();
    models::TraceSearchModel* results() const { return results_; }
    QTableView* resultsTable() const { return table_; }
    QString searchStatus() const;

    // --- Opening: each is asynchronous and ends in loadFinished.
    // From Nexus; a trace already open from Nexus is selected instead.
    void openThread(const QString& threadId);
    // A .dstrace file, no server needed.
    void openFile(const QString& path);
    // Record values from any source (a fork, another view); `origin` names it.
    void openRecords(const QString& origin, std::vector<std::string> records);
    bool isLoading() const { return !loads_.empty(); }
    void cancelLoading(); // every download and read in flight
    void closeTrace(std::uint64_t runId);

    // Writes the trace of `runId`: ".json" → decoded messages and summary,
    // anything else → .dstrace (the raw records, byte for byte).
    // Asynchronous: exportFinished.
    void exportTrace(std::uint64_t runId, const QString& path);

    // --- For the inspector's other views.
    models::RunStore& traceStore() { return *store_; }
    const models::RunStore& traceStore() const { return *store_; }
    QTabWidget* inspectorTabs() const { return inspector_; }
    widgets::RunView* runView() const { return view_; }
    std::uint64_t currentRunId() const { return currentRun_; }
    void setCurrentRun(std::uint64_t runId);
    std::vector<std::uint64_t> openRunIds() const; // in the selector's order
    // The raw record values of the trace (of its thread, when its source
    // held several); null when the run is not open.
    std::shared_ptr<const std::vector<std::string>> rawRecords(std::uint64_t runId) const;
    QString originOf(std::uint64_t runId) const; // the file path, or "Nexus"
    std::optional<nexus::v1::TraceSummary> nexusSummary(std::uint64_t runId) const;
    QString bannerText() const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void showEvent(QShowEvent* event) override;

signals:
    void currentTraceChanged(quint64 runId); // 0: no trace open
    // After every change of traceStore() (traces added, the store emptied):
    // views bound to the store pass it on (RunView::storeChanged).
    void traceStoreChanged(const nexus::models::ApplyResult& result);
    void traceOpened(quint64 runId);
    void traceClosed(quint64 runId);
    // One per open: records kept, records bad, the banner's sentence ("" when
    // clean); `error` when nothing could be opened (records = 0).
    void loadFinished(const QString& origin, int records, int badRecords, const QString& problem,
                      const QString& error);
    void searchFinished(bool ok, const QString& detail);
    void exportFinished(const QString& path, const QString& error);
    // cancelLoading() stopped the opens in flight; the traces open before stay.
    void loadCancelled();

private:
    // Where open runs came from: one file / download / record set.
    struct Source
    {
        QString origin;                      // the file path, or "Nexus"
        std::shared_ptr<DecodedTrace> trace; // records and threads (messages dropped once applied)
        std::optional<nexus::v1::TraceSummary> summary; // from Nexus
        QString problem; // the banner's sentence for it; "" when clean
    };
    // A download, file read or decode in flight.
    struct Load
    {
        QString label;  // for the progress row
        QString origin; // the file path, or "Nexus"
        QString threadId;
        quint64 requestId = 0; // the Nexus download; 0 once downloaded, or for files
        qint64 records = 0;
        qint64 expected = 0;
        std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
        std::shared_ptr<TraceProgress> progress; // records / bytes done, from the worker
        bool exporting = false;                  // an export (exportTrace), not an open
        std::optional<nexus::v1::TraceSummary> summary;
    };
    enum class BannerLevel
    {
        Info,
        Warning,
        Error
    };

    QWidget* createSearchPane();
    QWidget* createInspectorPane();
    nexus::v1::SearchTracesRequest filtersFromForm(QString& problem) const;
    void setClient(client::NexusClient* client);
    void maybeSearchOnFirstShow();
    void searchAnswered(quint64 requestId, const nexus::v1::SearchTracesResponse& response);
    void callFailed(quint64 requestId, const client::CallError& error);
    void setSearchStatus(const QString& text, bool problem);
    void updateTimeFields();

    int startLoad(const QString& label);
    void downloadProgress(quint64 requestId, qint64 records, qint64 expected, qint64 bytes);
    void downloaded(quint64 requestId, const client::TraceDownload& trace);
    void decodeInBackground(int load, const QString& origin,
                            std::shared_ptr<const std::vector<std::string>> records);
    void finishLoad(int load, std::shared_ptr<DecodedTrace> trace);
    void addTrace(const Load& load, std::shared_ptr<DecodedTrace> trace);
    void updateProgress();
    void showBanner(const QString& text, BannerLevel level);
    void hideBanner();
    void fitBanner();
    void selectorChanged();
    void chooseExportFile();
    nlohmann::json summaryJson(std::uint64_t runId) const;
    QString runLabel(std::uint64_t runId) const;

    ConsoleSession* session_;
    QPointer<client::NexusClient> client_;
    std::unique_ptr<models::RunStore> store_;
    models::TraceSearchModel* results_;

    // search form
    QLineEdit* text_ = nullptr;
    QLineEdit* instance_ = nullptr;
    QLineEdit* graph_ = nullptr;
    QComboBox* status_ = nullptr;
    QComboBox* range_ = nullptr;
    QDateTimeEdit* from_ = nullptr;
    QDateTimeEdit* to_ = nullptr;
    QDoubleSpinBox* minDuration_ = nullptr;
    QDoubleSpinBox* maxDuration_ = nullptr;
    QDoubleSpinBox* minCost_ = nullptr;
    QPushButton* searchButton_ = nullptr;
    QTableView* table_ = nullptr;
    QLabel* searchStatus_ = nullptr;
    QPushButton* loadMore_ = nullptr;

    // inspector
    QComboBox* selector_ = nullptr;
    QToolButton* close_ = nullptr;
    QToolButton* export_ = nullptr;
    QWidget* banner_ = nullptr;
    QLabel* bannerText_ = nullptr;
    QWidget* progressRow_ = nullptr;
    QLabel* progressText_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QTimer* progressPoll_ = nullptr;           // refreshes the bar from the workers' counters
    QStackedWidget* inspectorStack_ = nullptr; // a hint while no trace is open, else inspector_
    QTabWidget* inspector_ = nullptr;
    widgets::RunView* view_ = nullptr;

    quint64 searchRequest_ = 0;
    quint64 moreRequest_ = 0;
    bool searchedOnce_ = false; // the first show's automatic search, or the user's
    std::map<int, Load> loads_; // by load id
    int nextLoad_ = 1;
    std::map<std::uint64_t, std::shared_ptr<Source>> open_; // by run id
    std::uint64_t currentRun_ = 0;
};

} // namespace nexus::app
