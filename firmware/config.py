# Sensor node configuration (edit on the Pico, then reset). Read by node.py.
# Wiring: hardware/ in the Poise repository; defaults are the Pico's I2C0 on GP4/GP5.

I2C_ID = 0
I2C_SDA = 4
I2C_SCL = 5
I2C_FREQ = 400_000  # Fast-mode, LSM6DSO32 DS13181 table 8
I2C_ADDRESS = 0x6A  # SDO/SA0 low; 0x6B is tried too

ODR_HZ = 416  # 416 or 833 (any LSM6DSO32 rate from 12.5 to 833 Hz works)
ACC_RANGE_G = 32  # 4, 8, 16 or 32: shin landings exceed 16 g
GYR_RANGE_DPS = 2000  # 125, 250, 500, 1000 or 2000

OUTPUT = "usb"  # "usb" (USB CDC, sys.stdout) or "uart" (e.g. a Bluetooth serial module)
UART_ID = 0
UART_TX = 0
UART_RX = 1
UART_BAUD = 460_800  # 833 Hz needs about 16 kB/s: at least 230400 baud

PROTOCOL = 2  # link protocol: 2 (CRC-32) or 1 (CRC-16, for a host older than version 2)
POLL_MS = 5  # FIFO drained every 5 ms: 2-4 samples a frame, FIFO holds ~175 ms at 833 Hz
FRAME_SAMPLES = 16  # most samples in one frame
STATUS_MS = 1000  # heartbeat: status frame and LED toggle
LED_PIN = "LED"  # the on-board LED on Pico and Pico W
MAX_SAMPLES = 0  # stop after this many samples (0: never; for tests and benchmarks)
