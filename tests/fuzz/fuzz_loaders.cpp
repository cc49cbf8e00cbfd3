// The fixture and scenario loaders on arbitrary text: a document is either
// loaded or refused with a fixture_error; anything else is a bug.
#include "faults/scenario_loader.hpp"
#include "fixtures/fixtures.hpp"
#include "fixtures/json_reader.hpp"
#include "support/json_duplicates.hpp"

#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authsim;
  if (size == 0) {
    return 0;
  }
  // The first byte picks the loader; the rest is the document.
  const auto which = data[0] % 4;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)support::find_duplicate_key(text);
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(text, ec);
  if (ec) {
    return 0;
  }
  try {
    fixtures::fixture_set set;
    switch (which) {
      case 0: fixtures::parse_creditpay(doc, "creditpay.json", set); break;
      case 1: fixtures::parse_uocs(doc, "uocs.json", set); break;
      case 2: (void)fixtures::parse_stub(doc, "stub.json", "stub"); break;
      default:
        (void)faults::parse_scenario(doc, "s", "s.json",
                                     {"/dg/v1/platform/identify/auth", "/dg/v1/identify/redirect",
                                      "/apis-auth/login/auth", "/uocs-tes/waybill/api/carrierWaybill",
                                      "/uocs-tes/waybill/api/createWaybill", "/uocs-tes/waybill/api/selectOrderDetails",
                                      "/uocs-tes/waybill/api/orderH5View", "/uocs-ces/openApi/carrierWaybill",
                                      "/uocs-ces/openApi/createWaybill", "/uocs-ces/openApi/selectWaybillDetails",
                                      "/uocs-ces/openApi/selectWaybillH5View", "/uocs-ces/openApi/cancelWaybill"});
        break;
    }
  } catch (const fixtures::fixture_error&) {
    // A refused document: the expected outcome for most inputs.
  }
  return 0;
}
