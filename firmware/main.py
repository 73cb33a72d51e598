# Runs at boot on the Pico: stream the IMU to the host (see node.py and config.py).
import node

node.run()
