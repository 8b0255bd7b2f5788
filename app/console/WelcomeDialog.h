#pragma once
// The welcome screen (issue 12, onboarding): on the first start, over the
// main window, it explains the Local sandbox, what to try there and how to
// connect to a real fleet. Help > Welcome shows it again. main() decides
// whether to show it at startup (never with --screenshot, --startup-probe or
// in tests, which construct MainWindow directly).
//
// QSettings: "onboarding/done" (set once the screen has been closed) and
// "onboarding/showAtStartup" (the "Show this at startup" box, off by default:
// after the first start it comes back only when asked for).

#include <QDialog>

class QCheckBox;
class QPushButton;

namespace nexus::app {

class MainWindow;

class WelcomeDialog : public QDialog
{
    Q_OBJECT
public:
    explicit WelcomeDialog(QWidget* parent = nullptr);

    // True on the first start and when "Show this at startup" was checked.
    static bool wantedAtStartup();
    // `window` with this screen centred over it, the window dimmed: what the
    // user sees (--screenshot --welcome).
    QPixmap grabOver(QWidget* window);

    QCheckBox* showAtStartupBox() const { return showAtStartup_; }
    QPushButton* exploreButton() const { return explore_; }
    QPushButton* connectButton() const { return connect_; }
    QPushButton* openTraceButton() const { return openTrace_; }

signals:
    void connectRequested();
    void openTraceRequested();
    // A link in "What to try": "fleet", "compare", "runs", "traces",
    // "knowledge" or "rollouts" (MainWindow::showView names).
    void viewRequested(const QString& view);

protected:
    void done(int result) override;

private:
    QCheckBox* showAtStartup_;
    QPushButton* explore_;
    QPushButton* connect_;
    QPushButton* openTrace_;
};

// Shows the welcome screen over `window` (modeless; raises the open one if
// any) and wires its buttons: Connect opens File > Connection Profiles,
// Open trace asks for a .dstrace file and opens it, a "What to try" link
// raises that view; each closes the welcome screen.
WelcomeDialog* showWelcome(MainWindow* window);

} // namespace nexus::app
