"""SMS: Twilio's webhook and sender, segment arithmetic, rendering and the SMS budget."""
