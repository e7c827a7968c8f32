/*
 * A whole build output read into memory for the VMM's host tests
 * (config_test.c, plan_test.c): the compiled trees and guest images they
 * hand the VMM's own reader. Fails the test if the file is missing.
 */
#ifndef TESTS_UNIT_VMM_READ_FILE_H
#define TESTS_UNIT_VMM_READ_FILE_H

#include <stdint.h>

/* The file's bytes (malloc'ed, at least one byte) and their count. */
uint8_t *read_file(const char *path, uint32_t *size);

#endif
