from app.greeting import greet

print(greet())
