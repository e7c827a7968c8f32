/*
 * The names of the partition configuration's device-tree binding, in one
 * place (docs/configuration.md is the user's description of the same).
 *
 * The tree has three containers under the root: `guests` (one node per
 * partition), `channels` (shared memory and endpoints between two guests)
 * and `devices` (I/O-port ranges and interrupt lines given to one guest).
 * Every node that means something carries a `compatible` with the vendor
 * prefix `cvm` ("capability virtual machine"), and the root says which
 * version of the binding the tree follows, so a later binding can change
 * shape without old trees being misread.
 */
#ifndef VMM_BINDING_H
#define VMM_BINDING_H

/* compatible strings: vendor prefix "cvm" */
#define DT_COMPAT_ROOT      "cvm,partitions-v1"
#define DT_COMPAT_GUEST     "cvm,guest"
#define DT_COMPAT_SHM       "cvm,shared-memory"
#define DT_COMPAT_ENDPOINT  "cvm,endpoint"
#define DT_COMPAT_IOPORTS   "cvm,io-ports"

/* containers under the root */
#define DT_NODE_GUESTS      "guests"
#define DT_NODE_CHANNELS    "channels"
#define DT_NODE_DEVICES     "devices"

/* properties every node may carry */
#define DT_PROP_COMPATIBLE  "compatible"
#define DT_PROP_PHANDLE     "phandle"           /* dtc adds it to nodes that &label names */
#define DT_PROP_LPHANDLE    "linux,phandle"     /* the older spelling, dtc -H epapr omits it */
#define DT_PROP_MODEL       "model"             /* root only: free text, printed at boot */
#define DT_PROP_SCRIPT      "console-script"    /* root only: console commands, run in order */

/* guest properties */
#define DT_PROP_KERNEL      "kernel"            /* string: boot module name */
#define DT_PROP_INITRD      "initrd"            /* string: boot module name, optional */
#define DT_PROP_BOOTARGS    "bootargs"          /* string, optional */
#define DT_PROP_MEMORY      "memory"            /* <hi lo>: bytes */
#define DT_PROP_MEMORY_MIN  "memory-min"        /* <hi lo>, optional */
#define DT_PROP_MEMORY_MAX  "memory-max"        /* <hi lo>, optional */
#define DT_PROP_POLICY      "policy"            /* string: one of DT_POLICY_* */
#define DT_PROP_PRIORITY    "priority"          /* <n> */

#define DT_POLICY_DELEGATED   "delegated"
#define DT_POLICY_MEDIATED    "mediated"
#define DT_POLICY_BALLOON     "balloon"
#define DT_POLICY_UNACCOUNTED "unaccounted"

/* channel properties */
#define DT_PROP_GUESTS      "guests"            /* shared memory: <&a &b> */
#define DT_PROP_SIZE        "size"              /* shared memory: <bytes> */
#define DT_PROP_RIGHTS      "rights"            /* shared memory: "rw"|"r" per guest, optional */
#define DT_PROP_CLIENT      "client"            /* endpoint: <&guest> that Calls */
#define DT_PROP_SERVER      "server"            /* endpoint: <&guest> that Replies */

#define DT_RIGHTS_RW        "rw"
#define DT_RIGHTS_R         "r"

/* device properties */
#define DT_PROP_GUEST       "guest"             /* <&guest> */
#define DT_PROP_PORTS       "ports"             /* <base count>, one pair or more */
#define DT_PROP_INTERRUPTS  "interrupts"        /* <irq ...>, optional */

#endif
