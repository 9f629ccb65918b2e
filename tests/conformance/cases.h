/* The conformance cases, by area (each file registers its own). */
#ifndef MDC_CASES_H
#define MDC_CASES_H

#include "runner.h"

extern const t_case mdc_logon_cases[];
extern const size_t mdc_logon_count;
extern const t_case mdc_crypto_cases[];
extern const size_t mdc_crypto_count;
extern const t_case mdc_pin_cases[];
extern const size_t mdc_pin_count;
extern const t_case mdc_prop_cases[];
extern const size_t mdc_prop_count;
extern const t_case mdc_param_cases[];
extern const size_t mdc_param_count;
extern const t_case mdc_multi_cases[];
extern const size_t mdc_multi_count;
extern const t_case mdc_enroll_cases[];
extern const size_t mdc_enroll_count;

#endif
