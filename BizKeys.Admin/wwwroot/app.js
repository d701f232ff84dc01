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

// The theme (see ThemeChoice): kept in a cookie so that the server draws the next page in it from the start.
window.bizKeys.saveTheme = function (value) {
    document.cookie = "BizKeys.Theme=" + value + "; path=/; max-age=31536000; samesite=strict" + (location.protocol === "https:" ? "; secure" : "");
};
(function () {
    // A first visit (sign-in, say) has no cookie yet: note the system's theme for every page after it.
    if (!document.cookie.split("; ").some(c => c.startsWith("BizKeys.Theme="))) {
        window.bizKeys.saveTheme(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "system-dark" : "system-light");
    }
})();

// After a dialog that changed a key: focus goes back where the person was — the key's row, else the page's first
// action, else its heading — rather than to the page's body.
window.bizKeys.focusFirst = function (selectors) {
    for (const selector of selectors) {
        const element = document.querySelector(selector);
        if (element) {
            if (!element.hasAttribute("tabindex") && element.tagName === "H1") element.setAttribute("tabindex", "-1");
            element.focus();
            return true;
        }
    }
    return false;
};

// "Skip to content": focus the page's content itself (Blazor's router would only scroll to the fragment).
document.addEventListener("click", event => {
    const link = event.target.closest && event.target.closest("a.skip-link");
    if (!link) return;
    const target = document.getElementById("main-content");
    if (!target) return;
    event.preventDefault();
    target.focus();
});
