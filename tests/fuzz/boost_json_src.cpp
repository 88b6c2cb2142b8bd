// Boost.JSON compiled with the fuzzers' instrumentation (HRMS_FUZZ_INSTRUMENT_BOOST).
#include <boost/json/src.hpp>
