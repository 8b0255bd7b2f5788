#pragma once
// The review controls under an entry: a comment, "Approve (A)" and
// "Reject (R)", a line that says why they are disabled, and a banner for a
// conflict, a review waiting to be retried, or an error (plain text).
//
// Keys in the comment field: Ctrl+Enter rejects with the typed comment (a
// comment is what a rejection needs; approving needs none, so A does it
// from the queue); Escape leaves the field and keeps the comment:
// commentEscaped is emitted (the console focuses its queue), and if the focus
// is still in the field it goes to the parent widget. A rejection without a comment is not sent:
// the panel says "A rejection needs a comment" and puts the cursor in the comment field. The panel
// only emits intents; the console sends the review.

#include <QWidget>

class QFrame;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QToolButton;

namespace nexus::widgets {

class ReviewPanel : public QWidget
{
    Q_OBJECT
public:
    enum class Banner
    {
        None,
        Conflict,
        PendingRetry,
        Error
    };

    explicit ReviewPanel(QWidget* parent = nullptr);

    // Role: below approver the buttons are disabled and the reason shown.
    void setReviewable(bool allowed, const QString& reasonWhenNot);
    // Not pending (or nothing selected): disabled, with the caller's note
    // ("Approved by bob 3 min ago"). A note while pending is shown as a hint.
    void setEntryState(bool pending, const QString& note);
    // A review in flight: disabled, "Sending…".
    void setBusy(bool busy);

    void showConflict(const QString& text);
    void showPendingRetry(const QString& text);
    void showError(const QString& text);
    void clearBanner();

    QString comment() const; // trimmed
    void clearComment();
    void focusComment();

    // For tests and the console.
    bool canReview() const;     // the buttons are enabled
    QString reasonText() const; // the visible line under the buttons ("" when hidden)
    QString hintText() const;   // "A rejection needs a comment" ("" when hidden)
    Banner banner() const { return banner_; }
    QString bannerText() const;
    QPushButton* approveButton() const { return approve_; }
    QPushButton* rejectButton() const { return reject_; }
    QPlainTextEdit* commentEdit() const { return comment_; }

public slots:
    void requestApprove();
    void requestReject();

signals:
    void approveRequested(const QString& comment);
    void rejectRequested(const QString& comment);
    void commentEscaped();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void refresh();
    void setBanner(Banner kind, const QString& caption, const QString& text);
    void setHint(const QString& text);

    QFrame* bannerFrame_ = nullptr;
    QLabel* bannerCaption_ = nullptr;
    QLabel* bannerText_ = nullptr;
    QToolButton* bannerClose_ = nullptr;
    QPlainTextEdit* comment_ = nullptr;
    QLabel* hint_ = nullptr;
    QPushButton* approve_ = nullptr;
    QPushButton* reject_ = nullptr;
    QLabel* reason_ = nullptr;
    Banner banner_ = Banner::None;
    bool allowed_ = true;
    QString notAllowedReason_;
    bool pending_ = false;
    QString note_;
    bool busy_ = false;
};

} // namespace nexus::widgets
