#pragma once
// The system keychain (Secret Service, KWallet, macOS Keychain, Windows
// Credential Store) through QtKeychain, when the console was built with it.
// Entries live under the service "nexus-console"; a profile only stores the
// entry's key. Calls wait for the keychain in a local event loop (the
// keychain may ask the user to unlock it), at most `timeoutMs`.

#include "client/ConnectionProfile.h"

namespace nexus::client {

// True when built with QtKeychain (qtkeychain-qt6-dev). Whether a keychain
// service is actually running is only known when a call is made.
bool keychainSupported();

protocol::Expected<QString, SecretError> readKeychainSecret(const QString& key,
                                                            int timeoutMs = 15000);
protocol::Expected<bool, SecretError> writeKeychainSecret(const QString& key, const QString& secret,
                                                          int timeoutMs = 15000);
protocol::Expected<bool, SecretError> deleteKeychainSecret(const QString& key,
                                                           int timeoutMs = 15000);

} // namespace nexus::client
