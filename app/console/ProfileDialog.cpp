#include "ProfileDialog.h"

#include "client/Keychain.h"
#include "client/NexusClient.h"
#include "client/ProfileStore.h"
#include "widgets/ThemeStyle.h"

#include "nexus/v1/common.pb.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace nexus::app {

using client::ConnectionProfile;
using client::SecretSource;

namespace {

// Source combo entries, in this order; Plain only for Kafka properties.
enum SourceItem
{
    PlainItem,
    EnvItem,
    FileItem,
    KeychainItem,
};

SecretSource::Kind kindOfItem(int item)
{
    switch (item) {
    case EnvItem:
        return SecretSource::Kind::EnvVar;
    case FileItem:
        return SecretSource::Kind::File;
    case KeychainItem:
        return SecretSource::Kind::Keychain;
    default:
        return SecretSource::Kind::None;
    }
}

int itemOfKind(SecretSource::Kind kind)
{
    switch (kind) {
    case SecretSource::Kind::EnvVar:
        return EnvItem;
    case SecretSource::Kind::File:
        return FileItem;
    case SecretSource::Kind::Keychain:
        return KeychainItem;
    case SecretSource::Kind::None:
        break;
    }
    return PlainItem;
}

QComboBox* sourceCombo(const QString& plainText, QWidget* parent)
{
    auto* combo = new QComboBox(parent);
    combo->addItem(plainText);
    combo->addItem(QObject::tr("Environment variable"));
    combo->addItem(QObject::tr("File"));
    combo->addItem(client::keychainSupported()
                       ? QObject::tr("System keychain")
                       : QObject::tr("System keychain (not in this build)"));
    return combo;
}

QString roleName(int role)
{
    const std::string name = nexus::v1::Role_Name(static_cast<nexus::v1::Role>(role));
    QString text = QString::fromStdString(name);
    text.remove(QStringLiteral("ROLE_"));
    return text.toLower();
}

} // namespace

ProfileDialog::ProfileDialog(QSettings* settings, const QString& current, QWidget* parent)
    : QDialog(parent), store_(std::make_unique<client::ProfileStore>(settings))
{
    setWindowTitle(tr("Connection Profiles"));
    setObjectName(QStringLiteral("profileDialog"));
    buildUi();
    reloadList(current.isEmpty() ? ConnectionProfile::localSandboxName() : current);
}

ProfileDialog::~ProfileDialog() = default;

void ProfileDialog::buildUi()
{
    auto* root = new QVBoxLayout(this);
    auto* splitter = new QSplitter(this);
    root->addWidget(splitter, 1);

    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    list_ = new QListWidget(left);
    list_->setObjectName(QStringLiteral("profileList"));
    list_->setAccessibleName(tr("Connection profiles"));
    leftLayout->addWidget(list_, 1);
    auto* listButtons = new QHBoxLayout;
    auto* add = new QPushButton(tr("New"), left);
    add->setObjectName(QStringLiteral("newProfile"));
    auto* duplicate = new QPushButton(tr("Duplicate"), left);
    delete_ = new QPushButton(tr("Delete"), left);
    delete_->setObjectName(QStringLiteral("deleteProfile"));
    listButtons->addWidget(add);
    listButtons->addWidget(duplicate);
    listButtons->addWidget(delete_);
    leftLayout->addLayout(listButtons);

    auto* form = new QWidget(splitter);
    auto* formLayout = new QFormLayout(form);
    formLayout->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    name_ = new QLineEdit(form);
    name_->setObjectName(QStringLiteral("profileName"));
    kind_ = new QComboBox(form);
    kind_->setObjectName(QStringLiteral("profileKind"));
    kind_->addItem(tr("Local sandbox (Nexus and a simulated fleet in this process)"));
    kind_->addItem(tr("Remote Nexus"));
    endpoint_ = new QLineEdit(form);
    endpoint_->setObjectName(QStringLiteral("nexusEndpoint"));
    endpoint_->setPlaceholderText(QStringLiteral("nexus.example.com:7420"));
    const QString pem = tr("PEM files (*.pem *.crt *.key);;All files (*)");
    auto* caRow =
        fileRow(tlsCa_, "tlsCa", tr("empty: plaintext gRPC"), tr("TLS CA Certificate"), pem, form);
    auto* certRow = fileRow(tlsCert_, "tlsClientCert", tr("empty: no client certificate"),
                            tr("Client Certificate"), pem, form);
    auto* keyRow = fileRow(tlsKey_, "tlsClientKey", tr("the key file's path (never the key)"),
                           tr("Client Key"), pem, form);
    auto* tokenRow = new QHBoxLayout;
    tokenSource_ = sourceCombo(tr("No token"), form);
    tokenSource_->setObjectName(QStringLiteral("tokenSource"));
    tokenRef_ = new QLineEdit(form);
    tokenRef_->setObjectName(QStringLiteral("tokenReference"));
    tokenRef_->setAccessibleName(tr("Token reference"));
    storeToken_ = new QPushButton(tr("Store Token\u2026"), form);
    storeToken_->setToolTip(tr("Put the token into the system keychain under this entry name"));
    tokenRow->addWidget(tokenSource_);
    tokenRow->addWidget(tokenRef_, 1);
    tokenRow->addWidget(storeToken_);
    bootstrap_ = new QLineEdit(form);
    bootstrap_->setObjectName(QStringLiteral("kafkaBootstrap"));
    bootstrap_->setPlaceholderText(tr("broker1:9092,broker2:9092 (empty: no live records)"));
    topics_ = new QLineEdit(form);
    topics_->setObjectName(QStringLiteral("kafkaTopics"));
    topics_->setPlaceholderText(QStringLiteral("dashstream-events"));
    properties_ = new QTableWidget(0, 3, form);
    properties_->setObjectName(QStringLiteral("kafkaProperties"));
    properties_->setAccessibleName(tr("Kafka properties"));
    properties_->setHorizontalHeaderLabels(
        {tr("librdkafka property"), tr("Value or where"), tr("From")});
    properties_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    properties_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    properties_->verticalHeader()->hide();
    properties_->setMinimumHeight(120);
    auto* propButtons = new QHBoxLayout;
    auto* addProp = new QPushButton(tr("Add Property"), form);
    auto* removeProp = new QPushButton(tr("Remove Property"), form);
    propButtons->addWidget(addProp);
    propButtons->addWidget(removeProp);
    propButtons->addStretch(1);

    formLayout->addRow(tr("Name:"), name_);
    formLayout->addRow(tr("Kind:"), kind_);
    formLayout->addRow(tr("Nexus endpoint:"), endpoint_);
    formLayout->addRow(tr("TLS CA certificate:"), caRow);
    formLayout->addRow(tr("Client certificate:"), certRow);
    formLayout->addRow(tr("Client key file:"), keyRow);
    formLayout->addRow(tr("Token:"), tokenRow);
    formLayout->addRow(tr("Kafka bootstrap servers:"), bootstrap_);
    formLayout->addRow(tr("Topics:"), topics_);
    formLayout->addRow(tr("Kafka properties:"), properties_);
    formLayout->addRow(QString(), propButtons);
    auto* secretNote = new QLabel(
        tr("Secrets (token, sasl.password, ssl.key.password\u2026) are never written to the "
           "settings file: the profile says where to read them when connecting."),
        form);
    secretNote->setWordWrap(true);
    secretNote->setStyleSheet(QStringLiteral("color: palette(mid)"));
    formLayout->addRow(secretNote);
    splitter->addWidget(left);
    splitter->addWidget(form);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({200, 620});

    message_ = new QLabel(this);
    message_->setObjectName(QStringLiteral("profileMessage"));
    message_->setWordWrap(true);
    message_->setTextFormat(Qt::PlainText);
    root->addWidget(message_);

    auto* buttons = new QDialogButtonBox(this);
    test_ = buttons->addButton(tr("Test Connection"), QDialogButtonBox::ActionRole);
    test_->setObjectName(QStringLiteral("testConnection"));
    auto* save = buttons->addButton(QDialogButtonBox::Save);
    save->setObjectName(QStringLiteral("saveProfile"));
    auto* connectButton = buttons->addButton(tr("Connect"), QDialogButtonBox::AcceptRole);
    connectButton->setObjectName(QStringLiteral("connectProfile"));
    connectButton->setDefault(true);
    buttons->addButton(QDialogButtonBox::Close);
    root->addWidget(buttons);
    resize(900, 560);

    connect(list_, &QListWidget::currentTextChanged, this, [this](const QString& name) {
        if (loading_ || name.isEmpty() || name == loadedName_)
            return;
        if (!confirmDiscard()) {
            loading_ = true;
            const auto items = list_->findItems(loadedName_, Qt::MatchExactly);
            if (!items.isEmpty())
                list_->setCurrentItem(items.front());
            loading_ = false;
            return;
        }
        if (auto p = store_->profile(name))
            showProfile(*p);
    });
    const auto markDirty = [this] {
        if (!loading_)
            dirty_ = true;
        updateEnabled();
    };
    for (QLineEdit* e :
         {name_, endpoint_, tlsCa_, tlsCert_, tlsKey_, tokenRef_, bootstrap_, topics_})
        connect(e, &QLineEdit::textChanged, this, markDirty);
    connect(kind_, &QComboBox::currentIndexChanged, this, markDirty);
    connect(tokenSource_, &QComboBox::currentIndexChanged, this, markDirty);
    connect(properties_, &QTableWidget::cellChanged, this, markDirty);
    connect(storeToken_, &QPushButton::clicked, this, &ProfileDialog::storeTokenInKeychain);
    connect(add, &QPushButton::clicked, this, &ProfileDialog::newProfile);
    connect(duplicate, &QPushButton::clicked, this, &ProfileDialog::duplicateProfile);
    connect(delete_, &QPushButton::clicked, this, &ProfileDialog::deleteProfile);
    connect(addProp, &QPushButton::clicked, this, [this] {
        const int row = properties_->rowCount();
        properties_->insertRow(row);
        properties_->setItem(row, 0, new QTableWidgetItem);
        properties_->setItem(row, 1, new QTableWidgetItem);
        auto* from = sourceCombo(tr("Plain value"), properties_);
        connect(from, &QComboBox::currentIndexChanged, this, [this] {
            if (!loading_)
                dirty_ = true;
        });
        properties_->setCellWidget(row, 2, from);
        properties_->setCurrentCell(row, 0);
    });
    connect(removeProp, &QPushButton::clicked, this, [this] {
        if (properties_->currentRow() >= 0) {
            properties_->removeRow(properties_->currentRow());
            dirty_ = true;
        }
    });
    connect(save, &QPushButton::clicked, this, [this] { saveCurrent(); });
    connect(test_, &QPushButton::clicked, this, &ProfileDialog::testConnection);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (!saveCurrent())
            return;
        emit connectRequested(editedProfile());
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, [this] {
        if (confirmDiscard())
            reject();
    });
}

void ProfileDialog::reloadList(const QString& select)
{
    loading_ = true;
    list_->clear();
    for (const QString& n : store_->names())
        list_->addItem(n);
    loading_ = false;
    if (!selectProfile(select))
        selectProfile(ConnectionProfile::localSandboxName());
}

bool ProfileDialog::selectProfile(const QString& name)
{
    const auto items = list_->findItems(name, Qt::MatchExactly);
    const auto profile = store_->profile(name);
    if (items.isEmpty() || !profile)
        return false;
    loading_ = true;
    list_->setCurrentItem(items.front());
    loading_ = false;
    showProfile(*profile);
    return true;
}

QString ProfileDialog::selectedName() const
{
    return loadedName_;
}

void ProfileDialog::showProfile(const ConnectionProfile& p)
{
    loading_ = true;
    loadedName_ = p.name;
    name_->setText(p.name);
    kind_->setCurrentIndex(p.kind == ConnectionProfile::Kind::LocalSandbox ? 0 : 1);
    endpoint_->setText(p.nexusEndpoint);
    tlsCa_->setText(p.tlsCaPath);
    tlsCert_->setText(p.tlsCertPath);
    tlsKey_->setText(p.tlsKeyPath);
    tokenSource_->setCurrentIndex(itemOfKind(p.token.kind));
    tokenRef_->setText(p.token.reference);
    bootstrap_->setText(p.kafkaBootstrapServers);
    topics_->setText(p.topics.join(QStringLiteral(", ")));
    properties_->setRowCount(0);
    const auto addRow = [this](const QString& key, const QString& value, int source) {
        const int row = properties_->rowCount();
        properties_->insertRow(row);
        properties_->setItem(row, 0, new QTableWidgetItem(key));
        properties_->setItem(row, 1, new QTableWidgetItem(value));
        auto* from = sourceCombo(tr("Plain value"), properties_);
        from->setCurrentIndex(source);
        connect(from, &QComboBox::currentIndexChanged, this, [this] {
            if (!loading_)
                dirty_ = true;
        });
        properties_->setCellWidget(row, 2, from);
    };
    for (auto it = p.kafkaProperties.cbegin(); it != p.kafkaProperties.cend(); ++it)
        addRow(it.key(), it.value(), PlainItem);
    for (auto it = p.kafkaSecrets.cbegin(); it != p.kafkaSecrets.cend(); ++it)
        addRow(it.key(), it.value().reference, itemOfKind(it.value().kind));
    dirty_ = false;
    loading_ = false;
    setMessage(QString(), false);
    updateEnabled();
}

ConnectionProfile ProfileDialog::editedProfile() const
{
    ConnectionProfile p;
    p.name = name_->text().trimmed();
    p.kind = kind_->currentIndex() == 0 ? ConnectionProfile::Kind::LocalSandbox
                                        : ConnectionProfile::Kind::Remote;
    if (p.kind == ConnectionProfile::Kind::LocalSandbox)
        return p; // the sandbox has nothing else to set
    p.nexusEndpoint = endpoint_->text().trimmed();
    p.tlsCaPath = tlsCa_->text().trimmed();
    p.tlsCertPath = tlsCert_->text().trimmed();
    p.tlsKeyPath = tlsKey_->text().trimmed();
    p.token = {kindOfItem(tokenSource_->currentIndex()), tokenRef_->text().trimmed()};
    if (p.token.kind == SecretSource::Kind::None)
        p.token.reference.clear();
    p.kafkaBootstrapServers = bootstrap_->text().trimmed();
    p.topics.clear();
    for (const QString& t : topics_->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!t.trimmed().isEmpty())
            p.topics << t.trimmed();
    if (p.topics.isEmpty() && !p.kafkaBootstrapServers.isEmpty())
        p.topics << QStringLiteral("dashstream-events");
    for (int row = 0; row < properties_->rowCount(); ++row) {
        const QString key =
            properties_->item(row, 0) ? properties_->item(row, 0)->text().trimmed() : QString();
        const QString value =
            properties_->item(row, 1) ? properties_->item(row, 1)->text().trimmed() : QString();
        if (key.isEmpty())
            continue;
        const auto* from = qobject_cast<QComboBox*>(properties_->cellWidget(row, 2));
        const int source = from ? from->currentIndex() : PlainItem;
        if (source == PlainItem)
            p.kafkaProperties.insert(key, value);
        else
            p.kafkaSecrets.insert(key, SecretSource{kindOfItem(source), value});
    }
    return p;
}

void ProfileDialog::updateEnabled()
{
    const bool sandbox = kind_->currentIndex() == 0;
    const bool builtIn = loadedName_ == ConnectionProfile::localSandboxName();
    name_->setReadOnly(builtIn);
    kind_->setEnabled(!builtIn);
    for (QWidget* w :
         std::initializer_list<QWidget*>{endpoint_, tlsCa_, tlsCert_, tlsKey_, tokenSource_,
                                         tokenRef_, bootstrap_, topics_, properties_})
        w->setEnabled(!sandbox);
    for (QPushButton* b : browse_)
        b->setEnabled(!sandbox);
    const int source = tokenSource_->currentIndex();
    tokenRef_->setEnabled(!sandbox && source != PlainItem);
    tokenRef_->setPlaceholderText(source == EnvItem        ? QStringLiteral("NEXUS_TOKEN")
                                  : source == FileItem     ? tr("/path/to/token (first line)")
                                  : source == KeychainItem ? tr("entry name, e.g. prod-token")
                                                           : QString());
    storeToken_->setVisible(source == KeychainItem);
    storeToken_->setEnabled(!sandbox && client::keychainSupported());
    delete_->setEnabled(!builtIn);
    test_->setEnabled(!sandbox);
}

void ProfileDialog::setMessage(const QString& text, bool problem)
{
    message_->setText(text);
    widgets::setThemedStyleSheet(message_, problem
                                               ? QStringLiteral("color: #b3261e; font-weight: bold")
                                               : QStringLiteral("color: #1b7a3a"));
}

QString ProfileDialog::message() const
{
    return message_->text();
}

bool ProfileDialog::saveCurrent()
{
    const ConnectionProfile p = editedProfile();
    if (QString error = validateProfileForm(p); !error.isEmpty()) {
        setMessage(error, true);
        return false;
    }
    if (p.name != loadedName_ && store_->profile(p.name) &&
        p.name != ConnectionProfile::localSandboxName()) {
        setMessage(tr("A profile named \"%1\" exists already.").arg(p.name), true);
        return false;
    }
    if (auto saved = store_->save(p); !saved) {
        setMessage(saved.error().message, true);
        return false;
    }
    // A rename: the old entry goes.
    if (!loadedName_.isEmpty() && loadedName_ != p.name)
        store_->remove(loadedName_);
    dirty_ = false;
    reloadList(p.name);
    setMessage(tr("Saved \"%1\".").arg(p.name), false);
    emit profilesChanged();
    return true;
}

bool ProfileDialog::confirmDiscard()
{
    if (!dirty_)
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved Changes"),
        tr("The profile \"%1\" has unsaved changes. Save them?").arg(loadedName_),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save)
        return saveCurrent();
    dirty_ = false;
    return true;
}

void ProfileDialog::newProfile()
{
    if (!confirmDiscard())
        return;
    ConnectionProfile p;
    p.kind = ConnectionProfile::Kind::Remote;
    QString name = tr("New profile");
    for (int i = 2; store_->profile(name); ++i)
        name = tr("New profile %1").arg(i);
    p.name = name;
    p.token = {SecretSource::Kind::EnvVar, QStringLiteral("NEXUS_TOKEN")};
    showProfile(p);
    loadedName_.clear(); // not stored yet
    dirty_ = true;
    list_->clearSelection();
    updateEnabled();
    name_->setFocus();
    name_->selectAll();
    setMessage(tr("A new profile: fill it in and save."), false);
}

void ProfileDialog::duplicateProfile()
{
    if (!confirmDiscard())
        return;
    ConnectionProfile p = editedProfile();
    QString name = tr("%1 (copy)").arg(p.name);
    for (int i = 2; store_->profile(name); ++i)
        name = tr("%1 (copy %2)").arg(p.name).arg(i);
    p.name = name;
    if (p.kind == ConnectionProfile::Kind::LocalSandbox)
        p.kind = ConnectionProfile::Kind::Remote;
    showProfile(p);
    loadedName_.clear();
    dirty_ = true;
    updateEnabled();
    setMessage(tr("A copy: rename it and save."), false);
}

void ProfileDialog::deleteProfile()
{
    const QString name = loadedName_;
    if (name.isEmpty() || name == ConnectionProfile::localSandboxName())
        return;
    if (QMessageBox::question(this, tr("Delete Profile"),
                              tr("Delete the connection profile \"%1\"?").arg(name)) !=
        QMessageBox::Yes)
        return;
    store_->remove(name);
    dirty_ = false;
    reloadList(ConnectionProfile::localSandboxName());
    setMessage(tr("Deleted \"%1\".").arg(name), false);
    emit profilesChanged();
}

void ProfileDialog::storeTokenInKeychain()
{
    const QString entry = tokenRef_->text().trimmed();
    if (entry.isEmpty()) {
        setMessage(tr("Name the keychain entry first."), true);
        return;
    }
    bool ok = false;
    const QString token = QInputDialog::getText(
        this, tr("Store Token"), tr("Token for the keychain entry \"%1\":").arg(entry),
        QLineEdit::Password, QString(), &ok);
    if (!ok || token.trimmed().isEmpty())
        return;
    if (auto stored = client::writeKeychainSecret(entry, token.trimmed()); !stored)
        setMessage(stored.error().message, true);
    else
        setMessage(tr("The token is in the system keychain as \"%1\".").arg(entry), false);
}

void ProfileDialog::testConnection()
{
    const ConnectionProfile p = editedProfile();
    if (QString error = validateProfileForm(p); !error.isEmpty()) {
        setMessage(error, true);
        return;
    }
    auto token = client::resolveSecret(p.token);
    if (!token) {
        setMessage(tr("Cannot read the token: %1").arg(token.error().message), true);
        return;
    }
    probe_ = std::make_unique<client::NexusClient>(
        client::NexusEndpoint{p.nexusEndpoint, p.tlsCaPath, *token,
                              std::chrono::milliseconds(8'000), p.tlsCertPath, p.tlsKeyPath});
    setMessage(tr("Asking %1 who we are\u2026").arg(p.nexusEndpoint), false);
    test_->setEnabled(false);
    connect(probe_.get(), &client::NexusClient::whoAmIReceived, this,
            [this](quint64, const nexus::v1::WhoAmIResponse& r) {
                test_->setEnabled(true);
                setMessage(tr("Connected to Nexus %1 as %2 (%3).")
                               .arg(QString::fromStdString(r.server_version()),
                                    QString::fromStdString(r.actor()), roleName(r.role())),
                           false);
            });
    connect(probe_.get(), &client::NexusClient::callFailed, this,
            [this](quint64, const client::CallError& error) {
                test_->setEnabled(true);
                setMessage(error.text, true);
            });
    probe_->connectToNexus();
}

} // namespace nexus::app
