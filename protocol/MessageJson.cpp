#include "protocol/MessageJson.h"

#include "protocol/Ids.h"

#include <charconv>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <openssl/evp.h>
#include <set>
#include <string>

namespace nexus::protocol {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using nlohmann::json;

// Bytes fields that hold ids or digests: shown as hex.
bool isHexField(const std::string& name)
{
    static const std::set<std::string> names = {"message_id",         "parent_id",  "checkpoint_id",
                                                "base_checkpoint_id", "state_hash", "checksum"};
    return names.count(name) > 0;
}

std::string base64(std::string_view bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// Adds a bytes field under `name`: hex for ids, the JSON value when the bytes
// are JSON (state, patch values, tool arguments), else "<name>_base64".
void putBytes(json& obj, const std::string& name, const std::string& bytes)
{
    if (isHexField(name)) {
        obj[name] = toHex(bytes);
        return;
    }
    json parsed = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) {
        obj[name] = std::move(parsed);
        return;
    }
    obj[name + "_base64"] = base64(bytes);
}

json floatJson(float f)
{
    // Print a float with its own shortest digits, not the double's.
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, f);
    double d = 0;
    std::from_chars(buf, res.ptr, d);
    return d;
}

json messageJson(const Message& m, bool skipHeader = false);

json attributeValueJson(const ds::AttributeValue& v)
{
    switch (v.value_case()) {
    case ds::AttributeValue::kStringValue:
        return v.string_value();
    case ds::AttributeValue::kIntValue:
        return v.int_value();
    case ds::AttributeValue::kFloatValue:
        return v.float_value();
    case ds::AttributeValue::kBoolValue:
        return v.bool_value();
    case ds::AttributeValue::kBytesValue:
        return json{{"bytes_base64", base64(v.bytes_value())}};
    case ds::AttributeValue::kArrayValue: {
        json arr = json::array();
        for (const auto& item : v.array_value().values())
            arr.push_back(attributeValueJson(item));
        return arr;
    }
    case ds::AttributeValue::kMapValue: {
        json obj = json::object();
        for (const auto& [key, item] : v.map_value().values())
            obj[key] = attributeValueJson(item);
        return obj;
    }
    case ds::AttributeValue::VALUE_NOT_SET:
        break;
    }
    return nullptr;
}

json headerJson(const ds::Header& h)
{
    json out = {{"message_id", toHex(h.message_id())},
                {"timestamp_us", h.timestamp_us()},
                {"tenant_id", h.tenant_id()},
                {"thread_id", h.thread_id()},
                {"sequence", h.sequence()},
                {"type", ds::MessageType_Name(h.type())},
                {"compression", ds::CompressionType_Name(h.compression())},
                {"schema_version", h.schema_version()}};
    if (!h.parent_id().empty())
        out["parent_id"] = toHex(h.parent_id());
    return out;
}

json scalarJson(const Message& m, const Reflection* r, const FieldDescriptor* f, int i)
{
    const bool rep = i >= 0;
    switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
        return rep ? r->GetRepeatedInt32(m, f, i) : r->GetInt32(m, f);
    case FieldDescriptor::CPPTYPE_INT64:
        return rep ? r->GetRepeatedInt64(m, f, i) : r->GetInt64(m, f);
    case FieldDescriptor::CPPTYPE_UINT32:
        return rep ? r->GetRepeatedUInt32(m, f, i) : r->GetUInt32(m, f);
    case FieldDescriptor::CPPTYPE_UINT64:
        return rep ? r->GetRepeatedUInt64(m, f, i) : r->GetUInt64(m, f);
    case FieldDescriptor::CPPTYPE_DOUBLE:
        return rep ? r->GetRepeatedDouble(m, f, i) : r->GetDouble(m, f);
    case FieldDescriptor::CPPTYPE_FLOAT:
        return floatJson(rep ? r->GetRepeatedFloat(m, f, i) : r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
        return rep ? r->GetRepeatedBool(m, f, i) : r->GetBool(m, f);
    case FieldDescriptor::CPPTYPE_ENUM:
        return (rep ? r->GetRepeatedEnum(m, f, i) : r->GetEnum(m, f))->name();
    case FieldDescriptor::CPPTYPE_STRING:
        return rep ? r->GetRepeatedString(m, f, i) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_MESSAGE:
        return messageJson(rep ? r->GetRepeatedMessage(m, f, i) : r->GetMessage(m, f));
    }
    return nullptr;
}

json mapJson(const Message& m, const Reflection* r, const FieldDescriptor* f)
{
    json obj = json::object();
    const FieldDescriptor* valueField = f->message_type()->map_value();
    for (int i = 0; i < r->FieldSize(m, f); ++i) {
        const Message& entry = r->GetRepeatedMessage(m, f, i);
        const Reflection* er = entry.GetReflection();
        const std::string key = er->GetString(entry, f->message_type()->map_key());
        if (valueField->type() == FieldDescriptor::TYPE_BYTES) {
            json holder = json::object();
            putBytes(holder, key, er->GetString(entry, valueField));
            for (auto& [k, v] : holder.items())
                obj[k] = v;
        } else {
            obj[key] = scalarJson(entry, er, valueField, -1);
        }
    }
    return obj;
}

json messageJson(const Message& m, bool skipHeader)
{
    if (const auto* h = dynamic_cast<const ds::Header*>(&m))
        return headerJson(*h);
    if (const auto* a = dynamic_cast<const ds::AttributeValue*>(&m))
        return attributeValueJson(*a);

    json out = json::object();
    const auto* d = m.GetDescriptor();
    const Reflection* r = m.GetReflection();
    for (int n = 0; n < d->field_count(); ++n) {
        const FieldDescriptor* f = d->field(n);
        if (skipHeader && f->name() == "header")
            continue;
        if (f->is_map()) {
            if (r->FieldSize(m, f) > 0)
                out[f->name()] = mapJson(m, r, f);
        } else if (f->is_repeated()) {
            if (r->FieldSize(m, f) == 0)
                continue;
            json arr = json::array();
            for (int i = 0; i < r->FieldSize(m, f); ++i)
                arr.push_back(scalarJson(m, r, f, i));
            out[f->name()] = std::move(arr);
        } else if (r->HasField(m, f)) {
            if (f->type() == FieldDescriptor::TYPE_BYTES)
                putBytes(out, f->name(), r->GetString(m, f));
            else
                out[f->name()] = scalarJson(m, r, f, -1);
        }
    }
    return out;
}

const Message* payloadOf(const ds::DashStreamMessage& message)
{
    const auto* d = message.GetDescriptor();
    const auto* oneof = d->FindOneofByName("message");
    const FieldDescriptor* f = message.GetReflection()->GetOneofFieldDescriptor(message, oneof);
    return f ? &message.GetReflection()->GetMessage(message, f) : nullptr;
}

} // namespace

json messageToJson(const ds::DashStreamMessage& message)
{
    const MessageKind kind = kindOf(message);
    json out = {{"kind", std::string(kindName(kind))}};
    if (const ds::Header* h = headerOf(message))
        out["header"] = headerJson(*h);
    if (const Message* payload = payloadOf(message))
        out[std::string(kindName(kind))] = messageJson(*payload, /*skipHeader=*/true);
    return out;
}

json decodedRecordToJson(const ds::DashStreamMessage& message, const DecodeInfo& info)
{
    json out = messageToJson(message);
    out["frame"] = std::string(frameKindName(info.frame));
    out["record_bytes"] = info.recordBytes;
    return out;
}

json errorToJson(const Error& error)
{
    return {{"code", errorCodeName(error.code)}, {"message", error.message}};
}

} // namespace nexus::protocol
