import sys

print("script file", __file__)
print("script name", __name__)
print("script argv", sys.argv[1:])
