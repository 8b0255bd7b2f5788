#pragma once
// The replay debugger's fork page (DESIGN.md §5): the state at the chosen
// position in a JSON editor, "Run fork" to execute forward from it with the
// chosen graph (runtime::Fork), a prompt for the output of a node that has
// neither a script nor a recorded output, and the fork's path with where
// each node's output came from (script, recorded, typed). A finished fork
// is handed over as DashStream record values (forkCreated) to be kept and
// opened as a new trace.

#include "runtime/Fork.h"
#include "runtime/Replay.h"

#include <QString>
#include <QWidget>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QLabel;
class QGroupBox;
class QPushButton;
class QTreeWidget;

namespace nexus::widgets {

class JsonStateEditor;

class ReplayForkPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ReplayForkPanel(QWidget* parent = nullptr);
    ~ReplayForkPanel() override;

    // Prepares a fork of `session`'s recording at `position` (a step
    // boundary) with the state there, routed by `graph` (described by
    // `graphLabel`); null graph: Run fork explains that there is none.
    void begin(std::shared_ptr<const runtime::ReplaySession> session,
               std::optional<runtime::Graph> graph, QString graphLabel, std::size_t position);
    // Nothing to fork; `reason` is shown instead.
    void clear(const QString& reason);

    // The status line under Run fork: what happened or why nothing can.
    QString messageText() const;
    bool messageIsError() const { return messageIsError_; }
    // The NeedsOutput prompt ("" when no node waits for an output).
    QString promptText() const;
    bool isWaitingForOutput() const;
    // The fork's path, one line per node: "tech_specialist · visit 1 · script".
    QStringList pathLines() const;
    std::size_t position() const { return position_; }

    JsonStateEditor* stateEditor() const { return stateEditor_; }
    JsonStateEditor* outputEditor() const { return outputEditor_; }
    QPushButton* runButton() const { return run_; }
    QPushButton* continueButton() const { return continue_; }
    QTreeWidget* pathList() const { return path_; }

public slots:
    // False when the fork could not run or failed (the message says why).
    bool runFork();
    bool provideOutput();

signals:
    // A fork finished (completed, or failed in a node): its messages as
    // Kafka record values (protocol::RecordEncoder), to be saved and opened.
    void forkCreated(const QString& originThread, const QString& forkThread,
                     const std::vector<std::string>& recordValues);

private:
    void updateButtons();
    void showMessage(const QString& text, bool error);
    void showResult(const runtime::Result<runtime::ForkResult>& result);
    void showPath(const runtime::ForkResult& result);
    void showPrompt(const runtime::NeedsOutput& needs);
    void hidePrompt();
    void handOver();

    std::shared_ptr<const runtime::ReplaySession> session_;
    std::optional<runtime::Graph> graph_;
    std::size_t position_ = 0;
    std::unique_ptr<runtime::Fork> fork_;
    std::map<std::string, int> forksMade_; // by origin thread: the next fork number - 1

    QLabel* header_;
    QLabel* graphLabel_;
    JsonStateEditor* stateEditor_;
    QPushButton* run_;
    QLabel* message_;
    QGroupBox* prompt_;
    QLabel* promptText_;
    JsonStateEditor* outputEditor_;
    QPushButton* continue_;
    QTreeWidget* path_;
    bool messageIsError_ = false;
    bool invalidShown_ = false; // the message says the state does not parse
};

} // namespace nexus::widgets
