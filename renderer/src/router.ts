import { createRouter, createWebHistory } from 'vue-router';
import type { RouteRecordRaw } from 'vue-router';
import type { IconName } from './components/Icon.vue';

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    icon?: IconName;
    /** shown in the navigation */
    nav?: boolean;
    /** shown in the phone tab bar (the rest go to the top bar) */
    tab?: boolean;
    /** pages outside the app shell (login) */
    bare?: boolean;
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'generate', component: () => import('./views/GenerateView.vue'), meta: { title: 'Generate', icon: 'sparkles', nav: true, tab: true } },
  { path: '/queue', name: 'queue', component: () => import('./views/QueueView.vue'), meta: { title: 'Queue', icon: 'queue', nav: true, tab: true } },
  { path: '/gallery', name: 'gallery', component: () => import('./views/GalleryView.vue'), meta: { title: 'Gallery', icon: 'image', nav: true, tab: true } },
  { path: '/models', name: 'models', component: () => import('./views/ModelsView.vue'), meta: { title: 'Models', icon: 'layers', nav: true, tab: true } },
  { path: '/civitai', name: 'civitai', component: () => import('./views/civitai/CivitaiBrowserView.vue'), meta: { title: 'Civitai', icon: 'download', nav: true } },
  { path: '/servers', name: 'servers', component: () => import('./views/ServersView.vue'), meta: { title: 'Servers', icon: 'server', nav: true, tab: true } },
  { path: '/settings', name: 'settings', component: () => import('./views/SettingsView.vue'), meta: { title: 'Settings', icon: 'settings', nav: true } },
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { title: 'Sign in', bare: true } },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

export function createAppRouter() {
  const router = createRouter({
    // Clean URLs (/queue, /gallery): the engine serves index.html for client-side routes.
    history: createWebHistory(),
    routes,
    scrollBehavior(_to, _from, saved) {
      return saved ?? { top: 0 };
    },
  });
  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · StableQueue` : 'StableQueue';
  });
  return router;
}
