/*
 * An MSI end to end, as a user-level PCI driver on seL4 does it: QEMU's
 * `edu` device (docs/specs/edu.rst in QEMU: vendor 0x1234, device 0x11e8,
 * a 1 MiB MMIO BAR whose register 0x60 raises an interrupt and 0x64
 * acknowledges it) is found through PCI configuration mechanism #1 with an
 * I/O-port capability for 0xCF8-0xCFF; its BAR is placed at the start of a
 * device untyped we hold and mapped uncached from a frame retyped there;
 * IRQControl GetMSI issues a handler for a vector; the device's MSI
 * capability is pointed at the local APIC (address 0xFEE00000, data = the
 * CPU vector, vector + 0x30) and enabled; then each write to 0x60 must wake
 * us on the handler's notification.
 */
#include <rt/rt.h>
#include <rt/test.h>
#include <sel4/sel4.h>
#include <systest.h>

static struct st_root mem;    /* what the tests allocate from */

#define ROOT_CNODE      seL4_CapInitThreadCNode
#define DEPTH           seL4_WordBits

/* PCI configuration mechanism #1 (PCI Local Bus spec 3.0, 3.2.2.3.2). */
#define PCI_CONF_ADDR   0xcf8
#define PCI_CONF_DATA   0xcfc
#define PCI_CONF_LAST   0xcff
#define PCI_CONF_ENABLE 0x80000000u
#define PCI_DEVS        32
#define PCI_REG_ID      0x00
#define PCI_REG_CMD     0x04
#define PCI_CMD_MEM     (1u << 1)
#define PCI_CMD_MASTER  (1u << 2)
#define PCI_REG_STATUS_CAPS (1u << 20)      /* in the dword at 0x04 */
#define PCI_REG_BAR0    0x10
#define PCI_REG_CAPPTR  0x34
#define PCI_CAP_MSI     0x05
/* MSI capability (PCI 3.0, 6.8.1): control at +2, address at +4, then
 * data at +8 (32-bit) or +12 (64-bit address capable, control bit 7). */
#define MSI_CTRL_ENABLE (1u << 16)          /* in the dword at the cap */
#define MSI_CTRL_64BIT  (1u << 23)
#define MSI_ADDR_LAPIC  0xfee00000u         /* SDM 10.11.1, destination APIC 0 */

#define EDU_ID          0x11e81234u
#define EDU_BAR_BITS    20
#define EDU_REG_STATUS  (0x24 / 4)
#define EDU_REG_RAISE   (0x60 / 4)
#define EDU_REG_ACK     (0x64 / 4)
#define EDU_IRQ_BIT     0x1u
#define EDU_VADDR       0x50000000u

#define MSI_VECTOR      40                  /* IRQ 56, CPU vector 0x58 */
#define CPU_VECTOR_OF(v) ((v) + 16 + 0x20)
#define ROUNDS          10

static seL4_CPtr conf;

static uint32_t cfg_read(int dev, int off)
{
    seL4_X86_IOPort_Out32(conf, PCI_CONF_ADDR, PCI_CONF_ENABLE | (dev << 11) | (off & 0xfc));
    return seL4_X86_IOPort_In32(conf, PCI_CONF_DATA).result;
}

static void cfg_write(int dev, int off, uint32_t v)
{
    seL4_X86_IOPort_Out32(conf, PCI_CONF_ADDR, PCI_CONF_ENABLE | (dev << 11) | (off & 0xfc));
    seL4_X86_IOPort_Out32(conf, PCI_CONF_DATA, v);
}

static int find_edu(void)
{
    for (int dev = 0; dev < PCI_DEVS; dev++)
        if (cfg_read(dev, PCI_REG_ID) == EDU_ID)
            return dev;
    return -1;
}

static int find_msi_cap(int dev)
{
    if (!(cfg_read(dev, PCI_REG_CMD) & PCI_REG_STATUS_CAPS))
        return 0;
    int off = cfg_read(dev, PCI_REG_CAPPTR) & 0xfc;
    for (int guard = 0; off && guard < 48; guard++) {
        uint32_t w = cfg_read(dev, off);
        if ((w & 0xff) == PCI_CAP_MSI)
            return off;
        off = (w >> 8) & 0xfc;
    }
    return 0;
}

/* A device untyped in the 32-bit PCI hole below the IOAPIC, at least as
 * big as the BAR and aligned to it: the BAR goes at its start. */
static seL4_CPtr bar_untyped(bootinfo_t *bi, uint32_t *paddr)
{
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        bi_untyped_desc_t *u = &bi->untyped_list[i];
        if (u->is_device && u->size_bits >= EDU_BAR_BITS && u->paddr >= 0xc0000000u &&
            u->paddr < 0xfe000000u) {
            *paddr = u->paddr;
            return bi->untyped.start + i;
        }
    }
    return 0;
}

static void edu_msi(bootinfo_t *bi)
{
    TEST_BEGIN("pc99/edu_msi");
    conf = st_slot(&mem);
    ASSERT_OK(seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, PCI_CONF_ADDR, PCI_CONF_LAST,
                                           ROOT_CNODE, conf, DEPTH));
    int dev = find_edu();
    ASSERT_TRUE(dev >= 0);
    int msi = find_msi_cap(dev);
    ASSERT_TRUE(msi != 0);

    uint32_t bar;
    seL4_CPtr ut = bar_untyped(bi, &bar);
    ASSERT_TRUE(ut != 0);
    seL4_CPtr frame = st_slot(&mem);
    ASSERT_OK(seL4_Untyped_Retype(ut, seL4_X86_4K, 0, ROOT_CNODE, 0, 0, frame, 1));
    ASSERT_OK(st_map_frame(&mem, frame, EDU_VADDR, seL4_ReadWrite, seL4_X86_Uncacheable));
    cfg_write(dev, PCI_REG_BAR0, bar);
    cfg_write(dev, PCI_REG_CMD, PCI_CMD_MEM | PCI_CMD_MASTER);
    volatile uint32_t *regs = (volatile uint32_t *)EDU_VADDR;

    seL4_CPtr handler = st_slot(&mem), ntfn = st_new_object(&mem, seL4_NotificationObject);
    ASSERT_OK(seL4_IRQControl_GetMSI(seL4_CapIRQControl, ROOT_CNODE, handler, DEPTH, 0,
                                     (seL4_Word)dev, 0, 0, MSI_VECTOR));
    ASSERT_OK(seL4_IRQHandler_SetNotification(handler, ntfn));
    uint32_t ctrl = cfg_read(dev, msi);
    int data_off = ctrl & MSI_CTRL_64BIT ? 12 : 8;
    cfg_write(dev, msi + 4, MSI_ADDR_LAPIC);
    if (ctrl & MSI_CTRL_64BIT)
        cfg_write(dev, msi + 8, 0);
    cfg_write(dev, msi + data_off, CPU_VECTOR_OF(MSI_VECTOR));
    cfg_write(dev, msi, ctrl | MSI_CTRL_ENABLE);

    int got = 0;
    for (int i = 0; i < ROUNDS; i++) {
        regs[EDU_REG_RAISE] = EDU_IRQ_BIT;
        seL4_Wait(ntfn, NULL);
        if (!(regs[EDU_REG_STATUS] & EDU_IRQ_BIT))
            break;
        regs[EDU_REG_ACK] = EDU_IRQ_BIT;
        got++;
        if (seL4_IRQHandler_Ack(handler) != seL4_NoError)
            break;
    }
    EXPECT_EQ(got, ROUNDS);
    cfg_write(dev, msi, ctrl & ~MSI_CTRL_ENABLE);
    EXPECT_OK(seL4_CNode_Delete(ROOT_CNODE, handler, DEPTH));
    EXPECT_INVARIANTS();
    TEST_END();
}

int main(bootinfo_t *bi)
{
    st_root_init(&mem, bi);
    edu_msi(bi);
    tests_done();
}
