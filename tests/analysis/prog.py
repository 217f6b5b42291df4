print("analysis test program")
