// Boost.URL compiled with the fuzzers' instrumentation (HRMS_FUZZ_INSTRUMENT_BOOST).
#include <boost/url/src.hpp>
