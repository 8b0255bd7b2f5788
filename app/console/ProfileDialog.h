#pragma once
// Connection profiles: the list on the left, the selected profile's form on
// the right (Nexus endpoint, TLS CA, client certificate and key for mutual
// TLS, where the token comes from, Kafka
// bootstrap servers, topics and librdkafka properties). Secrets are never
// typed into the profile: a secret comes from an environment variable, a
// file, or the system keychain (the dialog can store it there). "Test"
// asks the Nexus who we are; "Connect" saves and opens the profile.

#include "client/ConnectionProfile.h"

#include <QDialog>
#include <QList>

#include <memory>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;
class QSettings;

namespace nexus::client {
class NexusClient;
class ProfileStore;
} // namespace nexus::client

namespace nexus::app {

// client::validateProfile plus the checks of this machine's files (the TLS
// CA, the client certificate and its key are readable); empty when fine.
QString validateProfileForm(const client::ConnectionProfile& profile);

class ProfileDialog : public QDialog
{
    Q_OBJECT
public:
    // `settings` holds the profiles (ProfileStore); `current` is selected first.
    ProfileDialog(QSettings* settings, const QString& current, QWidget* parent = nullptr);
    ~ProfileDialog() override;

    // The form's profile as it stands (not saved yet).
    client::ConnectionProfile editedProfile() const;
    QString selectedName() const;
    bool selectProfile(const QString& name);
    // Saves the form; false (and the reason shown) when refused.
    bool saveCurrent();
    QString message() const; // the last error or result line

signals:
    void connectRequested(const nexus::client::ConnectionProfile& profile);
    void profilesChanged();

private:
    void buildUi();
    // A path field with its "Browse…" button (ProfileDialogForm.cpp).
    QHBoxLayout* fileRow(QLineEdit*& edit, const char* objectName, const QString& placeholder,
                         const QString& dialogTitle, const QString& filter, QWidget* form);
    void reloadList(const QString& select);
    void showProfile(const client::ConnectionProfile& profile);
    void updateEnabled();
    void setMessage(const QString& text, bool problem);
    void newProfile();
    void duplicateProfile();
    void deleteProfile();
    void storeTokenInKeychain();
    void testConnection();
    bool confirmDiscard();

    std::unique_ptr<client::ProfileStore> store_;
    QListWidget* list_ = nullptr;
    QLineEdit* name_ = nullptr;
    QComboBox* kind_ = nullptr;
    QLineEdit* endpoint_ = nullptr;
    QLineEdit* tlsCa_ = nullptr;
    QLineEdit* tlsCert_ = nullptr;
    QLineEdit* tlsKey_ = nullptr;
    QList<QPushButton*> browse_;
    QComboBox* tokenSource_ = nullptr;
    QLineEdit* tokenRef_ = nullptr;
    QPushButton* storeToken_ = nullptr;
    QLineEdit* bootstrap_ = nullptr;
    QLineEdit* topics_ = nullptr;
    QTableWidget* properties_ = nullptr;
    QLabel* message_ = nullptr;
    QPushButton* test_ = nullptr;
    QPushButton* delete_ = nullptr;
    std::unique_ptr<client::NexusClient> probe_;
    QString loadedName_;
    bool dirty_ = false;
    bool loading_ = false;
};

} // namespace nexus::app
