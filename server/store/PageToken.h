#pragma once
// Opaque page tokens: base64url of "<kind>:<number>" (an offset, or the last
// seq for keyset paging). Clients pass them back unchanged; anything else is
// refused as Invalid rather than silently restarting at the first page.

#include "server/store/Store.h"

#include <cstdint>
#include <string>

namespace nexus::server::sqlite {

std::string encodePageToken(char kind, std::int64_t position);
// 0 for an empty token; Invalid for a token this store did not issue.
StoreResult<std::int64_t> decodePageToken(const std::string& token, char kind);

// page_size from a request: default when <= 0, capped at maxSize.
std::int64_t pageSize(std::int32_t requested, std::int64_t defaultSize, std::int64_t maxSize);

} // namespace nexus::server::sqlite
