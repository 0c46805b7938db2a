import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { ApiClient, setApiClient } from './api/client.ts';
import { createAppRouter } from './router.ts';
import './styles/tokens.css';
import './styles/base.css';

const bootstrap = window.stablequeue?.bootstrap;
const api = new ApiClient({ base: bootstrap?.apiBase, token: bootstrap?.token });
setApiClient(api);

const router = createAppRouter();

// A 401 means a password is set and this browser is not signed in: go to /login, then back.
// On a cold load the router has not resolved its first route yet, so take the address bar.
api.onUnauthorized = () => {
  const current = router.currentRoute.value;
  if (current.name === 'login') return;
  const next = current.matched.length ? current.fullPath : `${location.pathname}${location.search}`;
  void router.replace({ name: 'login', query: { next } });
};

createApp(App).use(createPinia()).use(router).mount('#app');
