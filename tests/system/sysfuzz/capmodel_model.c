/*
 * The modeller (oracle.c) predicts with the capability model of the
 * capmodel suite: one model of seL4's rules, compiled into both suites.
 */
#include "../capmodel/model.c"
