/*
 * The formatter behind printf and snprintf: walks a format string and
 * hands every output character to a sink. Supports flags - 0 + space #,
 * width and precision (numbers or *), lengths hh h l ll z t j, and the
 * conversions d i u x X o p s c %.
 */
#ifndef RT_FORMAT_H
#define RT_FORMAT_H

#include <stdarg.h>

typedef void (*rt_sink_t)(int c, void *ctx);

/* Returns the number of characters produced. */
int rt_format(rt_sink_t sink, void *ctx, const char *fmt, va_list ap);

#endif
