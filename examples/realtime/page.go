package main

// page is the chat and clock client.
const page = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>lane realtime</title>
<p>Time: <span id="clock">waiting</span></p>
<form id="form"><input id="text" autocomplete="off"> <button>Send</button></form>
<ul id="chat"></ul>
<script>
const clock = document.getElementById("clock");
const chat = document.getElementById("chat");
// With a message in the URL's fragment the page sends it, shows one tick and
// one chat line, and then closes both connections (used by the tests).
const once = location.hash !== "";
const es = new EventSource("/events");
es.addEventListener("tick", e => {
	clock.textContent = e.data;
	if (once) es.close();
});

const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
ws.onopen = () => { if (location.hash) ws.send(decodeURIComponent(location.hash.slice(1))); };
ws.onmessage = e => {
	const li = document.createElement("li");
	li.textContent = e.data;
	chat.append(li);
	if (once) ws.close(1000);
};
document.getElementById("form").onsubmit = e => {
	e.preventDefault();
	const text = document.getElementById("text");
	if (text.value) ws.send(text.value);
	text.value = "";
};
</script>
</html>
`
