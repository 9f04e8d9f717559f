// SPDX-License-Identifier: GPL-2.0-only
/*
 * A platform device stands for "the device" of the module's own DMA API
 * calls, with a 64-bit mask: memory anywhere, through CMA where there is one.
 */

#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/platform_device.h>

#include "device.h"

static struct platform_device *dmx_pdev;
struct device *dmx_dma_dev;

int dmx_device_init(void)
{
	int ret;

	dmx_pdev = platform_device_register_simple(KBUILD_MODNAME,
						   PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(dmx_pdev))
		return PTR_ERR(dmx_pdev);
	dmx_dma_dev = &dmx_pdev->dev;
	ret = dma_coerce_mask_and_coherent(dmx_dma_dev, DMA_BIT_MASK(64));
	if (ret)
		platform_device_unregister(dmx_pdev);
	return ret;
}

void dmx_device_exit(void)
{
	platform_device_unregister(dmx_pdev);
}
