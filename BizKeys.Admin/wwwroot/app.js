// Clipboard helper for the copy buttons. Returns false when the browser refuses (no permission, insecure origin).
window.bizKeys = {
    copyText: async function (text) {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch {
            return false;
        }
    }
};
