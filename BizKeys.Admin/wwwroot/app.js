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

// A password reset link carries its token after "#", which browsers never send to a server (nor to its logs or a
// proxy's): this copies it into the form, then takes it out of the address bar and the history.
(function () {
    function fillFromFragment() {
        const inputs = document.querySelectorAll("input[data-from-fragment]");
        if (inputs.length === 0 || !location.hash) return;
        const values = new URLSearchParams(location.hash.substring(1));
        inputs.forEach(input => input.value = values.get(input.dataset.fromFragment) || "");
        history.replaceState(null, "", location.pathname + location.search);
    }
    document.addEventListener("DOMContentLoaded", fillFromFragment);
    if (window.Blazor && Blazor.addEventListener) Blazor.addEventListener("enhancedload", fillFromFragment);
})();
