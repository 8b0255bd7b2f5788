// libFuzzer target: any bytes as a Kafka record value. The decoder must never
// crash, hang or allocate past its limits, and whatever it accepts must
// survive a re-encode and a second decode unchanged.
#include "protocol/Framing.h"
#include "protocol/MessageJson.h"

#include "QuietProtobuf.h"

#include <cstdint>
#include <cstdlib>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace nexus::protocol;
    static RecordDecoder decoder;
    ds::DashStreamMessage message;
    const std::string_view record(reinterpret_cast<const char*>(data), size);
    auto info = decoder.decode(record, message);
    if (!info)
        return 0;
    (void)messageToJson(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

    EncodeOptions options;
    options.maxMessageBytes = decoder.limits().maxMessageBytes;
    auto again = encodeRecord(message, options);
    if (!again)
        std::abort();
    ds::DashStreamMessage second;
    if (!decoder.decode(*again, second))
        std::abort();
    forEachHeader(message, [](ds::Header& h) { h.set_compression(ds::COMPRESSION_NONE); });
    forEachHeader(second, [](ds::Header& h) { h.set_compression(ds::COMPRESSION_NONE); });
    // Compare bytes, not fields: NaN floats (logprobs) never equal themselves.
    auto bytesOf = [](const ds::DashStreamMessage& m) {
        std::string out;
        google::protobuf::io::StringOutputStream stream(&out);
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.SetSerializationDeterministic(true);
        m.SerializeToCodedStream(&coded);
        coded.Trim();
        return out;
    };
    if (bytesOf(message) != bytesOf(second))
        std::abort();
    return 0;
}
