def hello():
    return "hi from plugin"
